import type { User } from 'firebase/auth';
import { publicConfig } from '$lib/config';
import { GatewayError, gatewayCall, recordSignInAt } from './gatewayCall';

export { GatewayError };

/** {@link gatewayCall} to the gateway of the settings SvelteKit hands the pages it renders in the browser. */
export const callGateway = <T>(query: string, variables: Record<string, unknown> = {}, user: User | null = null): Promise<T> => gatewayCall<T>(publicConfig().gatewayUrl, query, variables, user);

/**
 * Tells the server the user signed in (last login, new-device mail). 'locked' when the account's
 * sign-in is paused after failed attempts: the server has ended the session, the portal signs out.
 */
export const recordSignIn = (user: User): Promise<'ok' | 'locked'> => recordSignInAt(publicConfig().gatewayUrl, user);

/** Whether this browser must still enter a code from the login's authenticator app. */
export async function needsSecondFactor(user: User): Promise<boolean> {
  try {
    await callGateway('{ viewer { uid } }', {}, user);
    return false;
  } catch (err) {
    return err instanceof GatewayError && err.reason === 'SECOND_FACTOR_REQUIRED';
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
