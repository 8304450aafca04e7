import type { User } from 'firebase/auth';
import { publicConfig } from '$lib/config';
import { GatewayError, gatewayCall } from './gatewayCall';

export { GatewayError };

/** {@link gatewayCall} to the gateway of the settings SvelteKit hands the pages it renders in the browser. */
export const callGateway = <T>(query: string, variables: Record<string, unknown> = {}, user: User | null = null): Promise<T> => gatewayCall<T>(publicConfig().gatewayUrl, query, variables, user);

export const STAFF_ROLES = ['AGENT', 'TENANT_ADMIN'];

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatPrice(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}
