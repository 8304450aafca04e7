import type { User } from 'firebase/auth';
import { secondFactorHeader } from './secondFactor';
import { accountHeader } from './actingAccount';

/** A GraphQL error the gateway answered with, carrying its `extensions.code`. */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
    readonly field: string | null = null,
    /** `extensions.reason`, e.g. SECOND_FACTOR_REQUIRED. */
    readonly reason: string | null = null,
  ) {
    super(message);
  }
}

const MESSAGES: Record<string, string> = {
  UNAUTHENTICATED: 'Your session has expired. Please sign in again.',
  FORBIDDEN: 'You do not have access to this.',
  NOT_FOUND: 'We could not find what you were looking for.',
  RATE_LIMITED: 'Too many attempts. Please wait a few minutes and try again.',
  INTERNAL: 'Something went wrong on our side. Please try again.',
};

/**
 * Calls the gateway at `url` from the browser, as the signed-in user (or anonymously). Coded
 * errors become a {@link GatewayError} whose message is safe to show: ours for input problems, a
 * fixed sentence for everything else.
 */
export async function gatewayCall<T>(url: string, query: string, variables: Record<string, unknown> = {}, user: User | null = null): Promise<T> {
  const token = user ? await user.getIdToken() : null;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}`, ...secondFactorHeader(), ...accountHeader() } : {}) },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new GatewayError('We could not reach the server. Check your connection and try again.', null);
  }
  const body = (await res.json().catch(() => null)) as { data?: T; errors?: { message: string; extensions?: { code?: string; field?: string; reason?: string } }[] } | null;
  const first = body?.errors?.[0];
  if (first) {
    const code = first.extensions?.code ?? null;
    const own = code === 'BAD_USER_INPUT' || code === 'CONFLICT' || code === 'RATE_LIMITED' || code === 'FORBIDDEN';
    throw new GatewayError(own ? first.message : (MESSAGES[code ?? ''] ?? MESSAGES.INTERNAL!), code, first.extensions?.field ?? null, first.extensions?.reason ?? null);
  }
  if (!body?.data) throw new GatewayError(MESSAGES.INTERNAL!, null);
  return body.data;
}
