import { error, fail } from '@sveltejs/kit';
import { sessionGraphql } from '$lib/server/session';
import { requireStaffSession, staffOnly, staffSignIn } from '$lib/server/staffGate';
import { AGENT_NOTIFICATIONS_QUERY, CALLBACKS_QUERY, COMPLETE_CALLBACK_MUTATION, CREATE_OUTAGE_MUTATION, MARK_NOTIFICATION_READ_MUTATION, QUEUE_QUERY } from '$lib/server/staffQueries';
import { zonedToUtc } from '$lib/server/zonedTime';
import { CATEGORIES, PRIORITIES, STATUSES } from '$lib/tickets/ticketValues';
import type { Actions, PageServerLoad } from './$types';

/** One row of the queue, as the gateway answers it. */
export interface QueueRow {
  id: string;
  number: string;
  title: string;
  status: string;
  type: string;
  category: string;
  priority: string;
  createdAt: string;
  updatedAt: string;
  statusSince: string;
  sla: { next: { kind: string; dueAt: string; overdue: boolean } | null } | null;
  unreadCount: number;
  assignee: { uid: string; name: string } | null;
  customer: { id: string; name: string } | null;
  affectedCount: number | null;
}
export interface CallbackItem {
  id: string;
  preferredTime: string;
  phone: string | null;
  note: string | null;
  customer: { id: string; name: string; phone: string | null } | null;
  workOrder: { id: string } | null;
}
export interface NotificationItem {
  id: string;
  kind: string;
  title: string;
  body: string;
  read: boolean;
  createdAt: string;
  workOrder: { id: string } | null;
}

/** Rows a page of the queue shows. */
const PAGE_SIZE = 50;
const oneOf = (value: string | null, allowed: readonly string[]) => (value && allowed.includes(value) ? value : '');
const CURSOR = /^[\w+/=:.-]{1,200}$/;

/** The queue's filters, read from the address: a reload, Back and a shared link all show the same queue. */
function filtersOf(url: URL) {
  const q = url.searchParams;
  const after = q.get('after') ?? '';
  return {
    status: oneOf(q.get('status'), STATUSES),
    priority: oneOf(q.get('priority'), PRIORITIES),
    category: oneOf(q.get('category'), CATEGORIES),
    // `__none`: unassigned; `mine`: the signed-in agent; else a colleague's uid.
    assignee: (q.get('assignee') ?? '').slice(0, 128),
    q: (q.get('q') ?? '').trim().slice(0, 200),
    after: CURSOR.test(after) ? after : '',
  };
}

export const load: PageServerLoad = async ({ locals, url, parent, depends }) => {
  depends('portal:queue');
  const session = requireStaffSession(locals.session, url);
  const { staff } = await parent();
  const filters = filtersOf(url);
  const assigneeUid = filters.assignee === 'mine' ? staff.uid : filters.assignee;
  const filter = {
    ...(filters.status ? { status: [filters.status] } : {}),
    ...(filters.priority ? { priority: [filters.priority] } : {}),
    ...(filters.category ? { category: [filters.category] } : {}),
    ...(filters.assignee === '__none' ? { unassigned: true } : assigneeUid ? { assigneeUid } : {}),
    ...(filters.q ? { text: filters.q } : {}),
  };
  // The panels beside the list are asked apart from it: one that cannot be read never takes the queue with it.
  const [queue, callbacks, notifications] = await Promise.all([
    sessionGraphql<{ workOrderQueue: { edges: { node: QueueRow }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }; staffMembers: { uid: string; name: string }[] }>(
      session,
      QUEUE_QUERY,
      { filter, first: PAGE_SIZE, after: filters.after || null },
    ),
    sessionGraphql<{ callbackRequests: CallbackItem[] }>(session, CALLBACKS_QUERY),
    sessionGraphql<{ agentNotifications: { unreadCount: number; items: NotificationItem[] } }>(session, AGENT_NOTIFICATIONS_QUERY),
  ]);
  if (!queue.ok) {
    if (queue.reason === 'unauthenticated' || queue.why === 'SECOND_FACTOR_REQUIRED') staffSignIn(url);
    // A filter the API refuses (a cursor from another search) reads as a message, not a broken page.
    if (queue.code !== 'BAD_USER_INPUT') error(503, 'We could not load the queue right now. Please try again in a moment.');
  }
  return {
    filters,
    me: staff.uid,
    rows: queue.ok ? queue.data.workOrderQueue.edges.map((e) => e.node) : [],
    next: queue.ok && queue.data.workOrderQueue.pageInfo.hasNextPage ? queue.data.workOrderQueue.pageInfo.endCursor : null,
    queueError: queue.ok ? null : queue.detail,
    staffMembers: queue.ok ? queue.data.staffMembers : [],
    callbacks: callbacks.ok ? callbacks.data.callbackRequests : null,
    callbacksError: callbacks.ok ? null : 'The call-back requests could not be loaded.',
    notifications: notifications.ok ? notifications.data.agentNotifications : null,
    loadedAt: new Date().toISOString(),
    outageKey: crypto.randomUUID(),
  };
};

const keyOf = (form: FormData) => {
  const key = String(form.get('clientMutationId') ?? '');
  return /^[\w.:-]{1,100}$/.test(key) ? key : crypto.randomUUID();
};
const idOf = (form: FormData) => {
  const id = String(form.get('id') ?? '');
  return /^[\w-]{1,64}$/.test(id) ? id : null;
};

export const actions = staffOnly<Actions>({
  outage: async ({ request, locals, url }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const title = String(form.get('title') ?? '').trim();
    const description = String(form.get('description') ?? '').trim();
    const site = String(form.get('site') ?? '').trim() || null;
    const values = { title, description, site, eta: String(form.get('eta') ?? '') };
    const problems: Record<string, string> = {};
    if (title.length < 3) problems.title = 'Give the outage a title of at least 3 characters.';
    if (!description) problems.description = 'Say what customers are told.';
    // A datetime-local value has no zone: with scripts the page sends the browser's reading of it;
    // without, it is read in the WISP's time zone, the one the page shows times in.
    const etaIso = String(form.get('etaIso') ?? '');
    const eta = etaIso ? new Date(etaIso) : values.eta ? zonedToUtc(values.eta, locals.tenant?.timeZone) : null;
    if (eta && Number.isNaN(eta.getTime())) problems.eta = 'That is not a date and time.';
    if (Object.keys(problems).length) return fail(400, { action: 'outage', problems, values });
    const r = await sessionGraphql<{ createOutage: { id: string; number: string; affectedCount: number } }>(session, CREATE_OUTAGE_MUTATION, {
      input: { title, description, site, eta: eta ? eta.toISOString() : null, clientMutationId: keyOf(form) },
    });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') staffSignIn(url);
      const fieldProblems = Object.fromEntries((r.problems ?? []).map((p) => [p.field, p.message]));
      return fail(r.code === 'BAD_USER_INPUT' ? 400 : r.code === 'CONFLICT' ? 409 : 503, {
        action: 'outage',
        problems: fieldProblems,
        values,
        message: r.reason === 'graphql' ? r.detail : 'The outage could not be declared right now. Please try again.',
      });
    }
    return { action: 'outage', created: r.data.createOutage };
  },

  callbackDone: async ({ request, locals, url }) => {
    const session = requireStaffSession(locals.session, url);
    const id = idOf(await request.formData());
    if (!id) return fail(400, { action: 'callbackDone', message: 'That call-back is not known.' });
    const r = await sessionGraphql(session, COMPLETE_CALLBACK_MUTATION, { id });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') staffSignIn(url);
      return fail(r.code === 'CONFLICT' ? 409 : 400, { action: 'callbackDone', message: r.reason === 'graphql' ? r.detail : 'That did not work. Please try again.' });
    }
    return { action: 'callbackDone', done: true };
  },

  notificationRead: async ({ request, locals, url }) => {
    const session = requireStaffSession(locals.session, url);
    const id = idOf(await request.formData());
    if (!id) return fail(400, { action: 'notificationRead', message: 'That notification is not known.' });
    const r = await sessionGraphql(session, MARK_NOTIFICATION_READ_MUTATION, { id });
    if (!r.ok && r.reason === 'unauthenticated') staffSignIn(url);
    return { action: 'notificationRead', done: r.ok };
  },
});
