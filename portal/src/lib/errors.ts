import { CombinedGraphQLErrors, ServerError } from '@apollo/client';
import type { Translator } from '$lib/i18n';
import { signInProblemWords, type SignInProblem } from '$lib/portal/signInWords';

const AUTH_PROBLEMS: Record<string, SignInProblem> = {
  'auth/invalid-credential': 'wrong',
  'auth/invalid-login-credentials': 'wrong',
  'auth/wrong-password': 'wrong',
  'auth/user-not-found': 'wrong',
  'auth/invalid-email': 'invalidEmail',
  'auth/missing-email': 'missingEmail',
  'auth/missing-password': 'missingPassword',
  'auth/user-disabled': 'disabled',
  'auth/too-many-requests': 'throttled',
  'auth/network-request-failed': 'network',
  'auth/tenant-id-mismatch': 'wrongPortal',
  'auth/invalid-tenant-id': 'portalUnavailable',
  'portal/sign-in-paused': 'paused',
};

/**
 * Why a sign-in failed, as a problem the page tells in its reader's language
 * (`signInProblemWords`). Wrong password and unknown email are the same problem on purpose.
 */
export function signInErrorProblem(error: unknown): SignInProblem {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  return AUTH_PROBLEMS[code] ?? 'failed';
}

/** A failed sign-in in words, in the reader's language. */
export const signInErrorMessage = (i18n: Pick<Translator, 't'>, error: unknown): string => signInProblemWords(i18n, signInErrorProblem(error));

const GRAPHQL_MESSAGES: Record<string, string> = {
  UNAUTHENTICATED: 'Your session has expired. Please sign in again.',
  FORBIDDEN: 'You do not have access to this information.',
  NOT_FOUND: 'We could not find what you were looking for.',
  BAD_USER_INPUT: 'Some of the information entered is not valid.',
  CONFLICT: 'Something changed in the meantime. Please reload and try again.',
  RATE_LIMITED: 'Too many requests. Please wait a moment and try again.',
};

/** The `extensions.code` of the first GraphQL error, if the gateway answered with one. */
export function gatewayErrorCode(error: unknown): string | null {
  if (CombinedGraphQLErrors.is(error)) {
    const code = error.errors[0]?.extensions?.code;
    return typeof code === 'string' ? code : null;
  }
  return null;
}

/** A sentence for a failed gateway call; never a stack trace or a raw server message. */
export function gatewayErrorMessage(error: unknown): string {
  const code = gatewayErrorCode(error);
  if (code) return GRAPHQL_MESSAGES[code] ?? 'Something went wrong on our side. Please try again.';
  if (ServerError.is(error) && error.statusCode === 401) return GRAPHQL_MESSAGES.UNAUTHENTICATED!;
  return 'We could not load your account right now. Please try again.';
}
