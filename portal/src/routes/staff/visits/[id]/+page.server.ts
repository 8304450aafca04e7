import { error, fail, redirect } from '@sveltejs/kit';
import { sessionGraphql, type ServerSession } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export interface TechnicianVisit {
  id: string;
  number: string;
  title: string;
  status: string;
  eta: string | null;
  site: string | null;
  customer: { name: string } | null;
  contact: { name: string | null; phone: string | null } | null;
  visit: { start: string; end: string; crew: { name: string } | null } | null;
}

const VISIT = `query($id: ID!) { workOrder(id: $id) { id number title status eta site customer { name } contact { name phone } visit { start end crew { name } } } }`;
const PROGRESS = `mutation($input: VisitProgressInput!) { setVisitProgress(input: $input) { id status eta } }`;

const signIn = (url: URL) => redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);
function requireSession(session: ServerSession | null, url: URL): ServerSession {
  if (!session) signIn(url);
  return session!;
}
const keyOf = (form: FormData) => {
  const key = String(form.get('clientMutationId') ?? '');
  return /^[\w.:-]{1,100}$/.test(key) ? key : crypto.randomUUID();
};

export const load: PageServerLoad = async ({ locals, params, url }) => {
  const session = requireSession(locals.session, url);
  const r = await sessionGraphql<{ workOrder: TechnicianVisit | null }>(session, VISIT, { id: params.id });
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') signIn(url);
    if (r.code === 'NOT_FOUND' || r.code === 'BAD_USER_INPUT' || r.code === 'FORBIDDEN') return { ticket: null, key: crypto.randomUUID() };
    error(503, 'We could not load this visit right now. Please try again in a moment.');
  }
  return { ticket: r.data.workOrder, key: crypto.randomUUID() };
};

async function progress(locals: App.Locals, url: URL, id: string, request: Request, status: 'EN_ROUTE' | 'ON_SITE') {
  const session = requireSession(locals.session, url);
  const form = await request.formData();
  const etaMinutes = status === 'EN_ROUTE' ? Number(form.get('etaMinutes')) : null;
  if (status === 'EN_ROUTE' && (!Number.isInteger(etaMinutes) || etaMinutes! < 1 || etaMinutes! > 720)) return fail(400, { message: 'Give the minutes until you arrive (1–720).' });
  const r = await sessionGraphql(session, PROGRESS, { input: { workOrderId: id, status, etaMinutes, clientMutationId: keyOf(form) } });
  if (!r.ok) {
    if (r.reason === 'unauthenticated') signIn(url);
    return fail(400, { message: r.reason === 'graphql' ? r.detail : 'That did not work. Please try again.' });
  }
  return { done: status };
}

export const actions: Actions = {
  enRoute: ({ locals, url, params, request }) => progress(locals, url, params.id, request, 'EN_ROUTE'),
  onSite: ({ locals, url, params, request }) => progress(locals, url, params.id, request, 'ON_SITE'),
};
