import type { User } from 'firebase/auth';
import { publicConfig } from '$lib/config';

/** A GraphQL error the gateway answered with, carrying its `extensions.code`. */
export class GatewayError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
    readonly field: string | null = null,
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
 * Calls the gateway from the browser, as the signed-in user (or anonymously). Coded errors become
 * a {@link GatewayError} whose message is safe to show: ours for input problems, a fixed sentence
 * for everything else.
 */
export async function callGateway<T>(query: string, variables: Record<string, unknown> = {}, user: User | null = null): Promise<T> {
  const token = user ? await user.getIdToken() : null;
  let res: Response;
  try {
    res = await fetch(publicConfig().gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new GatewayError('We could not reach the server. Check your connection and try again.', null);
  }
  const body = (await res.json().catch(() => null)) as { data?: T; errors?: { message: string; extensions?: { code?: string; field?: string } }[] } | null;
  const first = body?.errors?.[0];
  if (first) {
    const code = first.extensions?.code ?? null;
    const own = code === 'BAD_USER_INPUT' || code === 'CONFLICT' || code === 'RATE_LIMITED' || code === 'FORBIDDEN';
    throw new GatewayError(own ? first.message : (MESSAGES[code ?? ''] ?? MESSAGES.INTERNAL!), code, first.extensions?.field ?? null);
  }
  if (!body?.data) throw new GatewayError(MESSAGES.INTERNAL!, null);
  return body.data;
}

/** Tells the server the customer signed in (their "last login"); staff sign-ins are not recorded here. */
export async function recordSignIn(user: User): Promise<void> {
  try {
    const claims = (await user.getIdTokenResult()).claims;
    if (claims.role === 'CUSTOMER') await callGateway('mutation { recordSignIn }', {}, user);
  } catch {
    // Last-login bookkeeping never stands in the way of signing in.
  }
}

export const STAFF_ROLES = ['AGENT', 'TENANT_ADMIN'];

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatPrice(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}
