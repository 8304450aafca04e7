import { GraphQLError } from 'graphql';

/** Every error a client can see carries one of these codes in `extensions.code`. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Codes that may reach a client unchanged: ours plus the request-level ones Apollo Server
 * produces itself (unparseable documents, failed validation, malformed requests).
 */
export const PUBLIC_ERROR_CODES: ReadonlySet<string> = new Set<string>([
  ...Object.values(ErrorCode),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  UNAUTHENTICATED: 401,
};

/** A client-facing error with a code; `details` lands in `extensions` beside the code. */
export function codedError(code: ErrorCode, message: string, details: Record<string, unknown> = {}): GraphQLError {
  const status = HTTP_STATUS[code];
  return new GraphQLError(message, {
    extensions: { ...details, code, ...(status ? { http: { status } } : {}) },
  });
}

export const unauthenticated = (message = 'Sign in to continue.') => codedError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'You may not do that.') => codedError(ErrorCode.FORBIDDEN, message);
export const notFound = (what: string) => codedError(ErrorCode.NOT_FOUND, `${what} not found.`);
export const badInput = (message: string, field?: string) =>
  codedError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});
