import { error, fail, redirect } from '@sveltejs/kit';
import { createTranslator, type MessageKey } from '$lib/i18n';
import { sessionGraphql, type ServerSession } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export interface BookingTicket {
  id: string;
  number: string;
  title: string;
  status: string;
  eta: string | null;
  visitNeeded: boolean;
  visit: { start: string; end: string; changeableUntil: string; crew: { name: string } | null } | null;
}
export interface FreeSlot {
  id: string;
  start: string;
  end: string;
  date: string;
  available: boolean;
}

const VISIT = `id number title status eta visitNeeded visit { start end changeableUntil crew { name } }`;
const LOAD = `query($id: ID!) { workOrder(id: $id) { ${VISIT} } visitSlots(workOrderId: $id, days: 14) { id start end date available } }`;
const BOOK = `mutation($input: BookVisitInput!) { bookVisit(input: $input) { id } }`;
const MOVE = `mutation($input: BookVisitInput!) { rescheduleVisit(input: $input) { id } }`;
const CANCEL = `mutation($input: CancelVisitInput!) { cancelVisit(input: $input) { id } }`;

/** Signed out: the start page signs in (its plain form without scripts) and comes back here. */
const signIn = (url: URL) => redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
function requireSession(session: ServerSession | null, url: URL): ServerSession {
  if (!session) signIn(url);
  return session!;
}

/** The rules a refused booking can break: each is told to the customer in their language (`book.why.*`). */
const WHY = new Set(['SLOT_FULL', 'SLOT_IN_PAST', 'BLACKOUT_DATE', 'INSIDE_LEAD_TIME', 'PAST_CUTOFF', 'ALREADY_BOOKED', 'NOT_BOOKED', 'SLOT_NOT_FOUND']);

/** A form's idempotency key: the page renders a fresh one; a resubmitted form carries the same. */
const keyOf = (form: FormData) => {
  const key = String(form.get('clientMutationId') ?? '');
  return /^[\w.:-]{1,100}$/.test(key) ? key : crypto.randomUUID();
};

export const load: PageServerLoad = async ({ locals, params, url }) => {
  const session = requireSession(locals.session, url);
  const r = await sessionGraphql<{ workOrder: BookingTicket | null; visitSlots: FreeSlot[] }>(session, LOAD, { id: params.id });
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') signIn(url);
    // Another customer's ticket, a malformed id and a missing one read alike.
    if (r.code === 'NOT_FOUND' || r.code === 'BAD_USER_INPUT' || r.code === 'FORBIDDEN') return { ticket: null, slots: [], loadedAt: new Date().toISOString(), key: crypto.randomUUID() };
    error(503, createTranslator(locals.lang, locals.tenant?.timeZone).t('book.loadFailed'));
  }
  return { ticket: r.data.workOrder, slots: r.data.visitSlots, loadedAt: new Date().toISOString(), key: crypto.randomUUID() };
};

async function change(locals: App.Locals, url: URL, params: { id: string }, request: Request, action: 'book' | 'reschedule' | 'cancel') {
  const session = requireSession(locals.session, url);
  const form = await request.formData();
  const slotId = String(form.get('slotId') ?? '');
  const i18n = createTranslator(locals.lang, locals.tenant?.timeZone);
  if (action !== 'cancel' && !slotId) return fail(400, { action, message: i18n.t('book.pickFirst') });
  if (action === 'cancel' && form.get('confirmed') !== 'yes') return { action, confirm: true };
  const input = action === 'cancel' ? { workOrderId: params.id, clientMutationId: keyOf(form) } : { workOrderId: params.id, slotId, clientMutationId: keyOf(form) };
  const r = await sessionGraphql(session, action === 'book' ? BOOK : action === 'reschedule' ? MOVE : CANCEL, { input });
  if (!r.ok) {
    if (r.reason === 'unauthenticated') signIn(url);
    const message = r.reason === 'graphql' && r.why && WHY.has(r.why) ? i18n.t(`book.why.${r.why}` as MessageKey) : r.code === 'BAD_USER_INPUT' || r.code === 'CONFLICT' ? r.detail : i18n.t('book.failed');
    return fail(r.code === 'CONFLICT' ? 409 : 400, { action, message, reason: r.why ?? null });
  }
  return { action, done: true };
}

export const actions: Actions = {
  book: ({ locals, url, params, request }) => change(locals, url, params, request, 'book'),
  reschedule: ({ locals, url, params, request }) => change(locals, url, params, request, 'reschedule'),
  cancel: ({ locals, url, params, request }) => change(locals, url, params, request, 'cancel'),
};
