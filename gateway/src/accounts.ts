import type { ApolloServerPlugin } from '@apollo/server';
import { rootFields } from './secondFactor.ts';
import { codedError, ErrorCode, isAccountRole, Role, signIdentityHeaders, type Identity, type LinkedAccount, type Logger } from '@wisp/shared';

/** The header naming which of its linked accounts a customer login acts for on this request. */
export const ACCOUNT_HEADER = 'x-wisp-account';

/** Options of {@link accountsLookup}. */
export interface AccountsLookupOptions {
  identitySecret: string;
  /** The customer subgraph's GraphQL URL (its /internal/accounts route answers). */
  customerUrl: string;
  log: Logger;
}

/**
 * Asks the customer subgraph, which keeps the links between logins and accounts, which accounts a
 * customer login may act for. Throws when it cannot be asked: nobody is let in on a guess.
 */
export function accountsLookup(options: AccountsLookupOptions) {
  const url = new URL('/internal/accounts', options.customerUrl);
  return async function accountsOf(identity: Identity): Promise<LinkedAccount[]> {
    const res = await fetch(url, {
      headers: signIdentityHeaders(identity, options.identitySecret, { method: 'GET', path: url.pathname, body: { streamedLength: undefined } }),
      signal: AbortSignal.timeout(5_000),
    });
    const body = res.ok ? ((await res.json().catch(() => null)) as { accounts?: unknown } | null) : null;
    const accounts = body?.accounts;
    if (!Array.isArray(accounts) || !accounts.every((a) => typeof a?.customerId === 'string' && isAccountRole(a?.role))) {
      options.log.error('account lookup failed', { status: res.status });
      throw new Error('The customer service did not say which accounts the login has.');
    }
    return (accounts as LinkedAccount[]).map((a) => ({ customerId: a.customerId, role: a.role }));
  };
}
export type AccountsOf = ReturnType<typeof accountsLookup>;

/**
 * The identity a customer login has with `accounts` as its links: it acts for the account its
 * claims name when it holds it, else for its oldest link. Null when it is linked to nothing.
 */
export function withAccounts(identity: Identity, accounts: LinkedAccount[]): Identity | null {
  if (identity.role !== Role.CUSTOMER) return identity;
  if (accounts.length === 0) return null;
  const acting = accounts.find((a) => a.customerId === identity.customerId) ?? accounts[0]!;
  return { ...identity, customerId: acting.customerId, accounts };
}

/**
 * The identity acting for `requested`, one of the login's linked accounts (the X-Wisp-Account
 * header, or `account` in a live connection's parameters). An account the login is not linked to
 * reads like one that does not exist: NOT_FOUND. Other roles ignore it.
 */
export function actingAs<T extends Identity | null>(identity: T, requested: string | string[] | undefined | null): T {
  const wanted = Array.isArray(requested) ? requested[0] : requested;
  if (!identity || identity.role !== Role.CUSTOMER || !wanted) return identity;
  if (wanted === identity.customerId) return identity;
  if (!identity.accounts?.some((a) => a.customerId === wanted)) {
    throw codedError(ErrorCode.NOT_FOUND, 'This account is not linked to your login.', { reason: 'ACCOUNT_NOT_LINKED' });
  }
  return { ...identity, customerId: wanted };
}

/** Root fields that change who is linked to which account. */
const LINK_CHANGES = new Set(['inviteHouseholdMember', 'removeAccountPerson', 'linkPropertyManager']);

/**
 * After a change of links passed through this gateway, the answers it keeps for the tenant's
 * customer logins are dropped, so a removed person loses the account on their next request (other
 * gateways within their 30 s reuse).
 */
export function accountLinksPlugin<C extends { identity?: Identity | null }>(forget: (tenantId: string) => void): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operation, document }) {
          const tenantId = contextValue.identity?.tenantId;
          if (!tenantId || !operation || !document || operation.operation !== 'mutation') return;
          if (rootFields(document, operation.selectionSet).some((f) => LINK_CHANGES.has(f))) forget(tenantId);
        },
      };
    },
  };
}
