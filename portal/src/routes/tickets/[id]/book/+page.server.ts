import { error, fail, redirect } from '@sveltejs/kit';
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
const signIn = (url: URL) => redirect(303, `/?next=${encodeURIComponent(url.pathname)}`);
function requireSession(session: ServerSession | null, url: URL): ServerSession {
  if (!session) signIn(url);
  return session!;
}

/** What a refused booking tells the customer, by the rule it broke. */
const WHY: Record<string, string> = {
  SLOT_FULL: 'Someone else just took that slot. Please pick another one.',
  SLOT_IN_PAST: 'That slot has already started. Please pick a later one.',
  BLACKOUT_DATE: 'We make no visits on that day. Please pick another one.',
  INSIDE_LEAD_TIME: 'That slot is too soon to book. Please pick a later one.',
  PAST_CUTOFF: 'Your visit is too close to change online. Please send us a message instead.',
  ALREADY_BOOKED: 'A visit is already booked for this ticket.',
  NOT_BOOKED: 'No visit is booked for this ticket.',
  SLOT_NOT_FOUND: 'That slot is not available. Please pick another one.',
};

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
    error(503, 'We could not load the visit times right now. Please try again in a moment.');
  }
  return { ticket: r.data.workOrder, slots: r.data.visitSlots, loadedAt: new Date().toISOString(), key: crypto.randomUUID() };
};

async function change(locals: App.Locals, url: URL, params: { id: string }, request: Request, action: 'book' | 'reschedule' | 'cancel') {
  const session = requireSession(locals.session, url);
  const form = await request.formData();
  const slotId = String(form.get('slotId') ?? '');
  if (action !== 'cancel' && !slotId) return fail(400, { action, message: 'Pick a time for the visit first.' });
  if (action === 'cancel' && form.get('confirmed') !== 'yes') return { action, confirm: true };
  const input = action === 'cancel' ? { workOrderId: params.id, clientMutationId: keyOf(form) } : { workOrderId: params.id, slotId, clientMutationId: keyOf(form) };
  const r = await sessionGraphql(session, action === 'book' ? BOOK : action === 'reschedule' ? MOVE : CANCEL, { input });
  if (!r.ok) {
    if (r.reason === 'unauthenticated') signIn(url);
    const message = (r.reason === 'graphql' && r.why && WHY[r.why]) || (r.code === 'BAD_USER_INPUT' || r.code === 'CONFLICT' ? r.detail : 'That did not work. Please try again.');
    return fail(r.code === 'CONFLICT' ? 409 : 400, { action, message, reason: r.why ?? null });
  }
  return { action, done: true };
}

export const actions: Actions = {
  book: ({ locals, url, params, request }) => change(locals, url, params, request, 'book'),
  reschedule: ({ locals, url, params, request }) => change(locals, url, params, request, 'reschedule'),
  cancel: ({ locals, url, params, request }) => change(locals, url, params, request, 'cancel'),
};
