import { error, fail, redirect } from '@sveltejs/kit';
import { createTranslator } from '$lib/i18n';
import { sessionGraphql } from '$lib/server/session';
import { zonedToUtc } from '$lib/server/zonedTime';
import { CALLBACK_MUTATION, MY_TICKETS_QUERY } from '$lib/server/ticketQueries';
import { CATEGORIES, PRIORITIES, STATUSES } from '$lib/tickets/ticketValues';
import type { TicketRow } from './ticketList';
import type { Actions, PageServerLoad } from './$types';

/** Signed out: the start page signs in (its plain form without scripts) and comes back here, filters and all. */
const signIn = (url: URL) => redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
const PAGE_SIZE = 20;

/** One filter's value from the address, or '' when absent or not one of the known values. */
const pick = <T extends readonly string[]>(url: URL, name: string, known: T): T[number] | '' => {
  const v = url.searchParams.get(name) ?? '';
  return (known as readonly string[]).includes(v) ? (v as T[number]) : '';
};

export const load: PageServerLoad = async ({ locals, url, depends }) => {
  depends('portal:tickets');
  if (!locals.session) signIn(url);
  const filters = { status: pick(url, 'status', STATUSES), category: pick(url, 'category', CATEGORIES), priority: pick(url, 'priority', PRIORITIES) };
  const cursor = url.searchParams.get('after') ?? '';
  const after = /^[\w+/=-]{1,200}$/.test(cursor) ? cursor : null;
  type Page = { edges: { node: TicketRow }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
  const r = await sessionGraphql<{ viewer: { customer: { id: string; tickets: Page } | null } | null }>(locals.session, MY_TICKETS_QUERY, {
    status: filters.status ? [filters.status] : null,
    category: filters.category ? [filters.category] : null,
    priority: filters.priority ? [filters.priority] : null,
    first: PAGE_SIZE,
    after,
  });
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') signIn(url);
    // A cursor from an old or edited address: start again at the newest.
    if (r.code === 'BAD_USER_INPUT' && after) {
      const fresh = new URL(url);
      fresh.searchParams.delete('after');
      redirect(303, fresh.pathname + fresh.search);
    }
    error(503, createTranslator(locals.lang, locals.tenant?.timeZone).t('tickets.loadFailed'));
  }
  const page = r.data.viewer?.customer?.tickets;
  return {
    filters,
    tickets: page ? page.edges.map((e) => e.node) : [],
    // Paging goes forward by cursor; "newest" goes back to the first page.
    nextCursor: page?.pageInfo.hasNextPage ? page.pageInfo.endCursor : null,
    paged: !!after,
    isCustomer: !!r.data.viewer?.customer,
    loadedAt: new Date().toISOString(),
  };
};

/** A form's idempotency key: the page renders a fresh one; a resubmitted form carries the same. */
const keyOf = (form: FormData) => {
  const key = String(form.get('clientMutationId') ?? '');
  return /^[\w.:-]{1,100}$/.test(key) ? key : crypto.randomUUID();
};

export const actions: Actions = {
  /** A call-back about no ticket in particular; works as a plain form post and enhanced. */
  callback: async ({ request, locals, url }) => {
    if (!locals.session) signIn(url);
    const form = await request.formData();
    // A datetime-local value has no zone: with scripts the page sends the browser's reading of it;
    // without, it is read in the WISP's time zone, the one the page shows times in.
    const iso = String(form.get('preferredTimeIso') ?? '');
    const local = String(form.get('preferredTime') ?? '');
    const phone = String(form.get('phone') ?? '').trim();
    const note = String(form.get('note') ?? '').trim();
    const kept = { action: 'callback', preferredTime: local, phone, note };
    const i18n = createTranslator(locals.lang, locals.tenant?.timeZone);
    const at = iso ? new Date(iso) : zonedToUtc(local, locals.tenant?.timeZone);
    if (!at || Number.isNaN(at.getTime())) return fail(400, { ...kept, message: i18n.t('ticket.error.callbackTime') });
    if (at.getTime() <= Date.now()) return fail(400, { ...kept, message: i18n.t('ticket.pastTime') });
    const input = { workOrderId: null, preferredTime: at.toISOString(), phone: phone || null, note: note || null, clientMutationId: keyOf(form) };
    const r = await sessionGraphql(locals.session, CALLBACK_MUTATION, { input });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') signIn(url);
      return fail(400, { ...kept, message: r.code === 'BAD_USER_INPUT' || r.code === 'RATE_LIMITED' ? r.detail : i18n.t('ticket.error.callback') });
    }
    return { action: 'callback', requested: true };
  },
};
