import { error, redirect } from '@sveltejs/kit';
import { createTranslator } from '$lib/i18n';
import type { AccountRole } from '$lib/portal/accountSwitch';
import { sessionGraphql } from '$lib/server/session';
import type { PageServerLoad } from './$types';

/** Tickets still waiting on someone: what a property manager looks at across their accounts. */
const OPEN_STATUSES = ['OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER', 'SCHEDULED', 'EN_ROUTE', 'ON_SITE'];
const PER_ACCOUNT = 25;

export interface AccountTicket {
  id: string;
  number: string;
  title: string;
  status: string;
  updatedAt: string;
}

export interface AccountOverview {
  id: string;
  name: string;
  accountNumber: string;
  serviceAddress: string | null;
  role: AccountRole;
  active: boolean;
  tickets: AccountTicket[];
  /** More open tickets than listed. */
  more: boolean;
}

const ACCOUNTS_QUERY = `query MyAccounts($first: Int!, $status: [WorkOrderStatus!]) {
  viewer {
    role
    accounts {
      role active
      customer {
        id name accountNumber serviceAddress
        tickets(first: $first, status: $status) { edges { node { id number title status updatedAt } } pageInfo { hasNextPage } }
      }
    }
  }
}`;

type Answer = {
  viewer: {
    role: string;
    accounts: { role: AccountRole; active: boolean; customer: Omit<AccountOverview, 'role' | 'active' | 'tickets' | 'more'> & { tickets: { edges: { node: AccountTicket }[]; pageInfo: { hasNextPage: boolean } } } }[];
  } | null;
};

/**
 * Every account the login may act for, each with its open tickets, in one request: the combined
 * view of a property manager (or anyone linked to several accounts). Rendered by the server.
 */
export const load: PageServerLoad = async ({ locals, url }) => {
  if (!locals.session) redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
  const r = await sessionGraphql<Answer>(locals.session, ACCOUNTS_QUERY, { first: PER_ACCOUNT, status: OPEN_STATUSES });
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
    error(503, createTranslator(locals.lang, locals.tenant?.timeZone).t('accounts.loadFailed'));
  }
  const viewer = r.data.viewer;
  const accounts: AccountOverview[] = (viewer?.role === 'CUSTOMER' ? viewer.accounts : []).map((a) => ({
    id: a.customer.id,
    name: a.customer.name,
    accountNumber: a.customer.accountNumber,
    serviceAddress: a.customer.serviceAddress,
    role: a.role,
    active: a.active,
    tickets: a.customer.tickets.edges.map((e) => e.node),
    more: a.customer.tickets.pageInfo.hasNextPage,
  }));
  return { overview: accounts, customer: viewer?.role === 'CUSTOMER', unknownSwitch: url.searchParams.get('switch') === 'unknown', loadedAt: new Date().toISOString() };
};
