import { CombinedGraphQLErrors, ServerError } from '@apollo/client';
import type { Translator } from '$lib/i18n';
import { signInErrorProblem, signInProblemWords } from '$lib/portal/signInWords';

export { signInErrorProblem };

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
