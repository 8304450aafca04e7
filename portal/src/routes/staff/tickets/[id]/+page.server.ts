import { error, fail, type ActionFailure } from '@sveltejs/kit';
import { DELIVERY_FIELDS, type NotificationDelivery } from '$lib/notifications/notificationFields';
import { uploadAsSession } from '$lib/server/attachmentUpload';
import { sessionGraphql, type SessionResult } from '$lib/server/session';
import { requireStaffSession, staffOnly, staffSignIn } from '$lib/server/staffGate';
import { STAFF_LISTS_QUERY, STAFF_MUTATIONS, STAFF_TICKET_QUERY, TICKET_NOTIFICATIONS_QUERY } from '$lib/server/staffQueries';
import { zonedToUtc } from '$lib/server/zonedTime';
import { CATEGORIES, label, PRIORITIES, STATUSES, TYPES } from '$lib/tickets/ticketValues';
import type { Actions, PageServerLoad } from './$types';
import type { StaffTicketData, StaffTicketForm, TicketNotifications } from './staffTicket';

const MAX_FILES = 5;

export const load: PageServerLoad = async ({ locals, params, url, parent, depends }) => {
  depends(`portal:staff-ticket:${params.id}`);
  const session = requireStaffSession(locals.session, url);
  const { staff } = await parent();
  // The delivery log is asked apart from the ticket: one that cannot be read must not take the ticket with it.
  const [t, lists, n] = await Promise.all([
    sessionGraphql<{ workOrder: StaffTicketData | null }>(session, STAFF_TICKET_QUERY, { id: params.id }),
    sessionGraphql<{ staffMembers: { uid: string; name: string }[]; cannedReplies: { id: string; title: string; body: string }[] }>(session, STAFF_LISTS_QUERY),
    sessionGraphql<{ workOrder: { customerNotifications: NotificationDelivery[] } | null }>(session, TICKET_NOTIFICATIONS_QUERY(DELIVERY_FIELDS), { id: params.id }),
  ]);
  const base = { me: staff.uid, loadedAt: new Date().toISOString() };
  if (!t.ok) {
    if (t.reason === 'unauthenticated' || t.why === 'SECOND_FACTOR_REQUIRED') staffSignIn(url);
    // Another WISP's ticket, a malformed id and a missing one read alike.
    if (t.code === 'NOT_FOUND' || t.code === 'BAD_USER_INPUT' || t.code === 'FORBIDDEN') return { ...base, ticket: null, notFound: t.detail };
    error(503, 'We could not load this work order right now. Please try again in a moment.');
  }
  if (!t.data.workOrder) return { ...base, ticket: null, notFound: 'We could not find that work order.' };
  void sessionGraphql(session, STAFF_MUTATIONS.markRead, { id: params.id });
  const notifications: TicketNotifications = n.ok ? { deliveries: n.data.workOrder?.customerNotifications ?? [], error: '' } : { deliveries: null, error: n.reason === 'graphql' ? n.detail : 'The notifications could not be loaded.' };
  return {
    ...base,
    ticket: t.data.workOrder,
    notFound: null,
    staffMembers: lists.ok ? lists.data.staffMembers : [],
    savedReplies: lists.ok ? lists.data.cannedReplies : [],
    notifications,
    // A fresh idempotency key per rendered form: a resubmitted (retried) post carries the same one.
    keys: { reply: crypto.randomUUID(), note: crypto.randomUUID(), update: crypto.randomUUID() },
  };
};

/** A form's idempotency key: the page renders a fresh one; a resubmitted form carries the same. */
const keyOf = (form: FormData) => {
  const key = String(form.get('clientMutationId') ?? '');
  return /^[\w.:-]{1,100}$/.test(key) ? key : crypto.randomUUID();
};
const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();

/** A datetime-local field as a moment: the browser's reading with scripts (`<name>Iso`), else the WISP's time zone. */
function momentOf(form: FormData, name: string, timeZone: string | null | undefined): { ok: true; iso: string | null } | { ok: false } {
  const iso = text(form, `${name}Iso`);
  const local = text(form, name);
  if (!iso && !local) return { ok: true, iso: null };
  const at = iso ? new Date(iso) : zonedToUtc(local, timeZone);
  return at && !Number.isNaN(at.getTime()) ? { ok: true, iso: at.toISOString() } : { ok: false };
}

/**
 * A refused call as the form's message: the API's own words for input and conflicts (written for
 * people), a fixed sentence for anything else; a session that ended signs in again.
 */
function refused(url: URL, action: string, r: Extract<SessionResult<unknown>, { ok: false }>, extra: Partial<StaffTicketForm> = {}): ActionFailure<StaffTicketForm> {
  if (r.reason === 'unauthenticated') staffSignIn(url);
  const problems = Object.fromEntries((r.problems ?? []).map((p) => [p.field, p.message]));
  if (r.field && !problems[r.field] && r.code === 'BAD_USER_INPUT') problems[r.field] = r.detail;
  const own = r.code === 'BAD_USER_INPUT' || r.code === 'CONFLICT' || r.code === 'RATE_LIMITED' || r.code === 'FORBIDDEN' || r.code === 'NOT_FOUND';
  const status = r.code === 'CONFLICT' ? 409 : r.code === 'BAD_USER_INPUT' ? 400 : r.code === 'FORBIDDEN' ? 403 : r.code === 'NOT_FOUND' ? 404 : 503;
  return fail(status, { action, message: own ? r.detail : 'That did not work just now. Please try again in a moment.', problems, ...extra });
}

async function send(locals: App.Locals, url: URL, request: Request, workOrderId: string, internal: boolean) {
  const action = internal ? 'note' : 'reply';
  const session = requireStaffSession(locals.session, url);
  const form = await request.formData();
  const body = text(form, 'body');
  if (!body) return fail(400, { action, problems: { body: internal ? 'Write the note first.' : 'Write a message first.' }, body } satisfies StaffTicketForm);
  const files = form.getAll('files').filter((f): f is File => f instanceof File && f.size > 0);
  if (files.length > MAX_FILES) return fail(400, { action, problems: { files: `Attach at most ${MAX_FILES} files.` }, body } satisfies StaffTicketForm);
  const attachmentIds: string[] = [];
  for (const file of files) {
    const up = await uploadAsSession(session, workOrderId, file);
    if (!up.ok) return fail(400, { action, problems: { files: up.message }, body } satisfies StaffTicketForm);
    attachmentIds.push(up.id);
  }
  const r = await sessionGraphql(session, STAFF_MUTATIONS.send, { input: { workOrderId, body, internal, clientMutationId: keyOf(form), attachmentIds } });
  if (!r.ok) return refused(url, action, r, { body });
  return { action, done: true } satisfies StaffTicketForm;
}

export const actions = staffOnly<Actions>({
  reply: ({ locals, url, request, params }) => send(locals, url, request, params.id, false),
  note: ({ locals, url, request, params }) => send(locals, url, request, params.id, true),

  status: async ({ locals, url, request, params }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const status = text(form, 'status');
    const expected = text(form, 'expected');
    const note = text(form, 'note') || null;
    if (!(STATUSES as readonly string[]).includes(status)) return fail(400, { action: 'status', problems: { status: 'Choose the status to move to.' } } satisfies StaffTicketForm);
    const r = await sessionGraphql(session, STAFF_MUTATIONS.status, { id: params.id, status, note, expected: (STATUSES as readonly string[]).includes(expected) ? expected : null });
    if (!r.ok) {
      if (r.code === 'CONFLICT') {
        return fail(409, {
          action: 'status',
          message: `Someone else changed this ticket's status while you were looking at it, so it was not moved to ${label(status)}. Here is the ticket as it is now: check it and choose again.`,
        } satisfies StaffTicketForm);
      }
      return refused(url, 'status', r);
    }
    return { action: 'status', done: true } satisfies StaffTicketForm;
  },

  assign: async ({ locals, url, request, params }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const uid = text(form, 'uid') || null;
    const r = await sessionGraphql(session, STAFF_MUTATIONS.assign, { id: params.id, uid });
    if (!r.ok) return refused(url, 'assign', r);
    return { action: 'assign', done: true } satisfies StaffTicketForm;
  },

  details: async ({ locals, url, request, params }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const input: Record<string, string> = {};
    const problems: Record<string, string> = {};
    // Only what the agent changed is sent, so two agents triaging at once do not undo each other.
    const was = (name: string) => text(form, `was_${name}`);
    const title = text(form, 'title');
    if (title !== was('title')) {
      if (title.length < 3 || title.length > 200) problems.title = 'A title has 3 to 200 characters.';
      else input.title = title;
    }
    for (const [name, allowed] of [['priority', PRIORITIES], ['category', CATEGORIES], ['type', TYPES.filter((t) => t !== 'OUTAGE')]] as const) {
      const value = text(form, name);
      if (!value || value === was(name)) continue;
      if (!(allowed as readonly string[]).includes(value)) problems[name] = `Choose a ${name} from the list.`;
      else input[name] = value;
    }
    if (Object.keys(problems).length) return fail(400, { action: 'details', problems } satisfies StaffTicketForm);
    if (!Object.keys(input).length) return { action: 'details', done: true } satisfies StaffTicketForm;
    const r = await sessionGraphql(session, STAFF_MUTATIONS.details, { id: params.id, input });
    if (!r.ok) return refused(url, 'details', r);
    return { action: 'details', done: true } satisfies StaffTicketForm;
  },

  schedule: async ({ locals, url, request, params }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const start = momentOf(form, 'start', locals.tenant?.timeZone);
    const end = momentOf(form, 'end', locals.tenant?.timeZone);
    if (!start.ok || !end.ok) return fail(400, { action: 'schedule', problems: { ...(start.ok ? {} : { start: 'That is not a date and time.' }), ...(end.ok ? {} : { end: 'That is not a date and time.' }) } } satisfies StaffTicketForm);
    if (start.iso && end.iso && end.iso <= start.iso) return fail(400, { action: 'schedule', problems: { end: 'The window ends after it starts.' } } satisfies StaffTicketForm);
    const r = await sessionGraphql(session, STAFF_MUTATIONS.schedule, { id: params.id, start: start.iso, end: end.iso });
    if (!r.ok) return refused(url, 'schedule', r);
    return { action: 'schedule', done: true } satisfies StaffTicketForm;
  },

  eta: async ({ locals, url, request, params }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const eta = momentOf(form, 'eta', locals.tenant?.timeZone);
    if (!eta.ok) return fail(400, { action: 'eta', problems: { eta: 'That is not a date and time.' } } satisfies StaffTicketForm);
    const r = await sessionGraphql(session, STAFF_MUTATIONS.eta, { id: params.id, eta: eta.iso });
    if (!r.ok) return refused(url, 'eta', r);
    return { action: 'eta', done: true } satisfies StaffTicketForm;
  },

  outageUpdate: async ({ locals, url, request, params }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const body = text(form, 'body');
    if (!body) return fail(400, { action: 'outageUpdate', problems: { body: 'Write the update first.' } } satisfies StaffTicketForm);
    const eta = momentOf(form, 'eta', locals.tenant?.timeZone);
    if (!eta.ok) return fail(400, { action: 'outageUpdate', problems: { eta: 'That is not a date and time.' }, body } satisfies StaffTicketForm);
    const r = await sessionGraphql(session, STAFF_MUTATIONS.outageUpdate, { id: params.id, body, eta: eta.iso, key: keyOf(form) });
    if (!r.ok) return refused(url, 'outageUpdate', r, { body });
    return { action: 'outageUpdate', done: true } satisfies StaffTicketForm;
  },
});
