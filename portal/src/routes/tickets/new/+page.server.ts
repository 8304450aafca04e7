import { error, fail, redirect } from '@sveltejs/kit';
import { createTranslator } from '$lib/i18n';
import { uploadAsSession } from '$lib/server/attachmentUpload';
import { sessionGraphql, type ServerSession } from '$lib/server/session';
import { NEW_TICKET_QUERY, OPEN_TICKET_MUTATION, TICKET_FILES_QUERY } from '$lib/server/ticketQueries';
import { CATEGORIES } from '$lib/tickets/ticketValues';
import type { Actions, PageServerLoad } from './$types';

/** Signed out: the start page signs in (its plain form without scripts) and comes back here. */
const signIn = (url: URL) => redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
const MAX_FILES = 5;
const MAX_FILE_BYTES = 10 * 1024 * 1024;
const FILE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'];

export interface KnownOutage {
  id: string;
  number: string;
  title: string;
  eta: string | null;
  publicUpdates: { body: string; at: string }[];
}

export const load: PageServerLoad = async ({ locals, url }) => {
  if (!locals.session) signIn(url);
  const r = await sessionGraphql<{ activeOutages: KnownOutage[]; viewer: { customer: { id: string; plan: { name: string } | null } | null } | null }>(locals.session, NEW_TICKET_QUERY);
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') signIn(url);
    error(503, createTranslator(locals.lang, locals.tenant?.timeZone).t('newTicket.loadFailed'));
  }
  return {
    outages: r.data.activeOutages,
    plan: r.data.viewer?.customer?.plan?.name ?? null,
    // "My problem is something else": the customer has seen the known outages and files anyway.
    other: url.searchParams.has('other'),
    // One key per rendered form: a double submit or a retried post files one ticket.
    clientMutationId: crypto.randomUUID(),
    loadedAt: new Date().toISOString(),
  };
};

/**
 * Posts of one form, one after the other: a double submit's second post waits for the first, then
 * finds its ticket (the API answers the same key with the same ticket) and its files already there.
 */
const inFlight = new Map<string, Promise<unknown>>();
async function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  const before = inFlight.get(key) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(work);
  inFlight.set(key, mine);
  try {
    return await mine;
  } finally {
    if (inFlight.get(key) === mine) inFlight.delete(key);
  }
}

/** Uploads the files the ticket does not hold yet (a retried post sends the same files again). */
async function attachMissing(session: ServerSession, ticketId: string, files: File[]): Promise<string | null> {
  const have = await sessionGraphql<{ workOrder: { attachments: { filename: string; size: number }[] } | null }>(session, TICKET_FILES_QUERY, { id: ticketId });
  const present = have.ok ? (have.data.workOrder?.attachments ?? []).map((a) => `${a.filename}|${a.size}`) : [];
  for (const file of files) {
    const at = present.indexOf(`${file.name || 'file'}|${file.size}`);
    if (at >= 0) {
      present.splice(at, 1);
      continue;
    }
    const up = await uploadAsSession(session, ticketId, file);
    if (!up.ok) return `${file.name}: ${up.message}`;
  }
  return null;
}

export const actions: Actions = {
  default: async ({ request, locals, url }) => {
    if (!locals.session) signIn(url);
    const session = locals.session!;
    const form = await request.formData();
    const title = String(form.get('title') ?? '').trim();
    const description = String(form.get('description') ?? '').trim();
    const category = String(form.get('category') ?? '');
    const rawKey = String(form.get('clientMutationId') ?? '');
    const clientMutationId = /^[\w.:-]{1,100}$/.test(rawKey) ? rawKey : crypto.randomUUID();
    const files = form.getAll('files').filter((f): f is File => f instanceof File && f.size > 0);
    const values = { title, description, category, clientMutationId, hadFiles: files.length > 0 };

    const i18n = createTranslator(locals.lang, locals.tenant?.timeZone);
    const errors: Record<string, string> = {};
    if (title.length < 3) errors.title = i18n.t('newTicket.error.titleShort');
    else if (title.length > 200) errors.title = i18n.t('newTicket.error.titleLong');
    if (!description) errors.description = i18n.t('newTicket.error.description');
    else if (description.length > 10_000) errors.description = i18n.t('newTicket.error.descriptionLong');
    if (!(CATEGORIES as readonly string[]).includes(category)) errors.category = i18n.t('newTicket.error.category');
    if (files.length > MAX_FILES) errors.files = i18n.t('newTicket.error.tooManyFiles', { count: MAX_FILES });
    else {
      const wrong = files.find((f) => !FILE_TYPES.includes(f.type) || f.size > MAX_FILE_BYTES);
      if (wrong) errors.files = i18n.t('newTicket.error.fileType', { name: wrong.name });
    }
    if (Object.keys(errors).length) return fail(400, { values, errors, message: null as string | null });

    const outcome = await oneAtATime(`${session.cookie.slice(-24)}:${clientMutationId}`, async () => {
      const r = await sessionGraphql<{ openTicket: { id: string; number: string } }>(session, OPEN_TICKET_MUTATION, { input: { title, description, category, clientMutationId } });
      if (!r.ok) return { ok: false as const, r };
      const problem = files.length ? await attachMissing(session, r.data.openTicket.id, files) : null;
      return { ok: true as const, ticket: r.data.openTicket, problem };
    });
    if (!outcome.ok) {
      const { r } = outcome;
      if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') signIn(url);
      if (r.code === 'BAD_USER_INPUT') {
        const fieldErrors: Record<string, string> = {};
        for (const p of r.problems ?? (r.field ? [{ field: r.field, message: r.detail }] : [])) fieldErrors[p.field] = p.message;
        const known = ['title', 'description', 'category'].some((f) => fieldErrors[f]);
        return fail(400, { values, errors: fieldErrors, message: known ? null : r.detail });
      }
      return fail(r.code === 'RATE_LIMITED' ? 429 : 503, { values, errors: {}, message: r.code === 'RATE_LIMITED' ? r.detail : i18n.t('newTicket.error.send') });
    }
    if (outcome.problem) {
      // The ticket exists; sending the same form again keeps it and retries only the missing files.
      return fail(400, { values, errors: { files: i18n.t('newTicket.error.fileAfterSend', { number: outcome.ticket.number, problem: outcome.problem }) }, message: null, ticket: outcome.ticket });
    }
    redirect(303, `/tickets/${outcome.ticket.id}`);
  },
};
