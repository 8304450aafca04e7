import { error, redirect } from '@sveltejs/kit';
import { createTranslator } from '$lib/i18n';
import { sessionGraphql } from '$lib/server/session';
import type { PageServerLoad } from './$types';

export interface BillingInvoice {
  id: string;
  number: string;
  issuedAt: string;
  dueDate: string | null;
  amountCents: number;
  currency: string;
  status: 'OPEN' | 'PAID' | 'OVERDUE' | 'VOID';
  pdf: { id: string; filename: string; size: number } | null;
  url: string | null;
}

export interface BillingPayment {
  id: string;
  reference: string;
  paidAt: string;
  amountCents: number;
  currency: string;
  method: string | null;
}

interface Page<T> {
  edges: { node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export interface MyBilling {
  balanceCents: number;
  currency: string | null;
  dueDate: string | null;
  updatedAt: string | null;
  invoices: Page<BillingInvoice>;
  payments: Page<BillingPayment>;
}

/** Invoices and payments shown per page. */
const PAGE_SIZE = 12;

const BILLING_QUERY = `query MyBilling($first: Int!, $invoicesAfter: String, $paymentsAfter: String) {
  viewer { role customer { id billing {
    balanceCents currency dueDate updatedAt
    invoices(first: $first, after: $invoicesAfter) { edges { node { id number issuedAt dueDate amountCents currency status pdf { id filename size } url } } pageInfo { hasNextPage endCursor } }
    payments(first: $first, after: $paymentsAfter) { edges { node { id reference paidAt amountCents currency method } } pageInfo { hasNextPage endCursor } }
  } } }
}`;

/** Signed out: the start page signs in (its plain form without scripts) and comes back here. */
const signIn = (url: URL) => redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);

/** Only an https address is a Pay link; anything else is treated as not configured. */
function payLink(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && !url.username && !url.password ? url.href : null;
  } catch {
    return null;
  }
}

const cursor = (v: string | null) => (v && /^[A-Za-z0-9_-]{1,200}$/.test(v) ? v : null);

export const load: PageServerLoad = async ({ locals, url }) => {
  if (!locals.session) signIn(url);
  const invoicesAfter = cursor(url.searchParams.get('invoices'));
  const paymentsAfter = cursor(url.searchParams.get('payments'));
  const r = await sessionGraphql<{ viewer: { role: string; customer: { id: string; billing: MyBilling } | null } | null }>(locals.session, BILLING_QUERY, {
    first: PAGE_SIZE,
    invoicesAfter,
    paymentsAfter,
  });
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') signIn(url);
    // A cursor from an old link: start again from the newest.
    if (r.code === 'BAD_USER_INPUT' && (invoicesAfter || paymentsAfter)) redirect(303, url.pathname);
    // A household member: the account's bills are its holder's to see.
    if (r.code === 'FORBIDDEN') return { billing: null, role: 'CUSTOMER', holderOnly: true, paymentPageUrl: null, olderInvoices: false, olderPayments: false };
    error(503, createTranslator(locals.lang, locals.tenant?.timeZone).t('billing.loadFailed'));
  }
  return {
    billing: r.data.viewer?.customer?.billing ?? null,
    role: r.data.viewer?.role ?? null,
    holderOnly: false,
    paymentPageUrl: payLink(locals.tenant?.paymentPageUrl),
    olderInvoices: invoicesAfter !== null,
    olderPayments: paymentsAfter !== null,
  };
};
