import { error, fail, redirect } from '@sveltejs/kit';
import { uploadAsSession } from '$lib/server/attachmentUpload';
import { sessionGraphql, type ServerSession } from '$lib/server/session';
import { zonedToUtc } from '$lib/server/zonedTime';
import { CALLBACK_MUTATION, CANCEL_MUTATION, MARK_READ_MUTATION, RATE_MUTATION, REOPEN_MUTATION, SEND_MESSAGE_MUTATION, TICKET_PAGE_QUERY } from '$lib/server/ticketQueries';
import { createTranslator } from '$lib/i18n';
import type { Actions, PageServerLoad } from './$types';
import type { TicketPageData } from './ticketPage';

/** Signed out: the start page signs in (its plain form without scripts) and comes back here. */
const signIn = (url: URL) => redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
const MAX_FILES = 5;
/** A message of the form's in the request's language. */
const t = (locals: App.Locals, ...args: Parameters<ReturnType<typeof createTranslator>['t']>) => createTranslator(locals.lang).t(...args);

function requireSession(session: ServerSession | null, url: URL): ServerSession {
  if (!session) signIn(url);
  return session!;
}

export const load: PageServerLoad = async ({ locals, params, url, depends }) => {
  depends(`portal:ticket:${params.id}`);
  const session = requireSession(locals.session, url);
  const r = await sessionGraphql<{ workOrder: TicketPageData | null }>(session, TICKET_PAGE_QUERY, { id: params.id });
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') signIn(url);
    // Another customer's ticket, a malformed id and a missing one read alike.
    if (r.code === 'NOT_FOUND' || r.code === 'BAD_USER_INPUT' || r.code === 'FORBIDDEN') return { ticket: null, loadedAt: new Date().toISOString() };
    error(503, t(locals, 'ticket.loadFailed'));
  }
  if (r.data.workOrder) void sessionGraphql(session, MARK_READ_MUTATION, { id: params.id });
  return { ticket: r.data.workOrder, loadedAt: new Date().toISOString() };
};

/** A form's idempotency key: the page renders a fresh one; a resubmitted form carries the same. */
const keyOf = (form: FormData) => {
  const key = String(form.get('clientMutationId') ?? '');
  return /^[\w.:-]{1,100}$/.test(key) ? key : crypto.randomUUID();
};

export const actions: Actions = {
  send: async ({ request, locals, params, url }) => {
    const session = requireSession(locals.session, url);
    const form = await request.formData();
    const body = String(form.get('body') ?? '').trim();
    if (!body) return fail(400, { action: 'send', message: t(locals, 'ticket.error.empty'), body });
    const files = form.getAll('files').filter((f): f is File => f instanceof File && f.size > 0);
    if (files.length > MAX_FILES) return fail(400, { action: 'send', message: t(locals, 'ticket.error.tooManyFiles', { count: MAX_FILES }), body });
    const attachmentIds: string[] = [];
    for (const file of files) {
      const up = await uploadAsSession(session, params.id, file);
      if (!up.ok) return fail(400, { action: 'send', message: up.message, body });
      attachmentIds.push(up.id);
    }
    const r = await sessionGraphql(session, SEND_MESSAGE_MUTATION, { input: { workOrderId: params.id, body, clientMutationId: keyOf(form), attachmentIds } });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') signIn(url);
      return fail(r.code === 'BAD_USER_INPUT' ? 400 : 503, { action: 'send', message: r.code === 'BAD_USER_INPUT' || r.code === 'RATE_LIMITED' ? r.detail : t(locals, 'ticket.error.send'), body });
    }
    return { action: 'send', sent: true };
  },

  cancel: async ({ request, locals, params, url }) => {
    const session = requireSession(locals.session, url);
    const form = await request.formData();
    // Without scripts the page asks first: the first post only shows the question.
    if (form.get('confirmed') !== 'yes') return { action: 'cancel', confirm: true };
    const r = await sessionGraphql(session, CANCEL_MUTATION, { id: params.id });
    if (!r.ok) return fail(400, { action: 'cancel', message: r.reason === 'graphql' ? r.detail : t(locals, 'ticket.error.cancel') });
    return { action: 'cancel', cancelled: true };
  },

  reopen: async ({ request, locals, params, url }) => {
    const session = requireSession(locals.session, url);
    const form = await request.formData();
    const reason = String(form.get('reason') ?? '').trim() || null;
    const r = await sessionGraphql(session, REOPEN_MUTATION, { id: params.id, reason });
    if (!r.ok) return fail(400, { action: 'reopen', message: r.reason === 'graphql' ? r.detail : t(locals, 'ticket.error.reopen') });
    return { action: 'reopen', reopened: true };
  },

  rate: async ({ request, locals, params, url }) => {
    const session = requireSession(locals.session, url);
    const form = await request.formData();
    const score = Number(form.get('score'));
    const comment = String(form.get('comment') ?? '').trim() || null;
    const r = await sessionGraphql(session, RATE_MUTATION, { id: params.id, score, comment });
    if (!r.ok) return fail(400, { action: 'rate', message: r.reason === 'graphql' ? r.detail : t(locals, 'ticket.error.rate') });
    return { action: 'rate', rated: true };
  },

  callback: async ({ request, locals, params, url }) => {
    const session = requireSession(locals.session, url);
    const form = await request.formData();
    // A datetime-local value has no zone: with scripts the page sends the browser's reading of it;
    // without, it is read in the WISP's time zone, the one the page shows times in.
    const iso = String(form.get('preferredTimeIso') ?? '');
    const at = iso ? new Date(iso) : zonedToUtc(String(form.get('preferredTime') ?? ''), locals.tenant?.timeZone);
    if (!at || Number.isNaN(at.getTime())) return fail(400, { action: 'callback', message: t(locals, 'ticket.error.callbackTime') });
    const input = {
      workOrderId: params.id,
      preferredTime: at.toISOString(),
      phone: String(form.get('phone') ?? '').trim() || null,
      note: String(form.get('note') ?? '').trim() || null,
      clientMutationId: keyOf(form),
    };
    const r = await sessionGraphql(session, CALLBACK_MUTATION, { input });
    if (!r.ok) return fail(400, { action: 'callback', message: r.reason === 'graphql' ? r.detail : t(locals, 'ticket.error.callback') });
    return { action: 'callback', requested: true };
  },
};
