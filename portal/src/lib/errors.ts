import { CombinedGraphQLErrors, ServerError } from '@apollo/client';

const AUTH_MESSAGES: Record<string, string> = {
  'auth/invalid-credential': 'Email or password is incorrect.',
  'auth/invalid-login-credentials': 'Email or password is incorrect.',
  'auth/wrong-password': 'Email or password is incorrect.',
  'auth/user-not-found': 'Email or password is incorrect.',
  'auth/invalid-email': 'Please enter a valid email address.',
  'auth/missing-email': 'Please enter your email address.',
  'auth/missing-password': 'Please enter your password.',
  'auth/user-disabled': 'This account has been disabled. Please contact support.',
  'auth/too-many-requests': 'Too many attempts. Please wait a moment and try again.',
  'auth/network-request-failed': 'We could not reach the sign-in service. Check your connection and try again.',
  'auth/tenant-id-mismatch': 'This account does not belong to this portal.',
  'auth/invalid-tenant-id': 'Sign-in is not available for this portal right now.',
  'portal/sign-in-paused': 'Signing in to this account is paused for 15 minutes after several failed attempts.',
};

/** A sentence for a failed sign-in. Wrong password and unknown email read the same on purpose. */
export function signInErrorMessage(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  return AUTH_MESSAGES[code] ?? 'Sign-in failed. Please try again.';
}

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
