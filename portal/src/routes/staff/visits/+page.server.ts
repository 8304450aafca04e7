import { error, fail, redirect } from '@sveltejs/kit';
import { sessionGraphql, type ServerSession } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export interface BoardTicket {
  id: string;
  number: string;
  title: string;
  status: string;
  site: string | null;
  customer: { name: string } | null;
}
export interface BoardSlot {
  id: string;
  start: string;
  end: string;
  date: string;
  capacity: number;
  booked: number;
  visits: { crew: { id: string; name: string }; workOrder: BoardTicket | null }[];
}
export interface Board {
  timeZone: string;
  crews: { id: string; name: string; sites: string[] }[];
  slots: BoardSlot[];
  waiting: BoardTicket[];
}

const TICKET = `id number title status site customer { name }`;
const BOARD = `query($from: String!, $to: String!) { visitBoard(from: $from, to: $to) { timeZone crews { id name sites } slots { id start end date capacity booked visits { crew { id name } workOrder { ${TICKET} } } } waiting { ${TICKET} } } }`;
const RESULT = `id`;
const MUTATIONS = {
  book: `mutation($input: BookVisitInput!) { bookVisit(input: $input) { ${RESULT} } }`,
  move: `mutation($input: BookVisitInput!) { rescheduleVisit(input: $input) { ${RESULT} } }`,
  assign: `mutation($input: AssignVisitCrewInput!) { assignVisitCrew(input: $input) { ${RESULT} } }`,
  cancel: `mutation($input: CancelVisitInput!) { cancelVisit(input: $input) { ${RESULT} } }`,
} as const;

const DAY = 86_400_000;
const signIn = (url: URL) => redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
function requireSession(session: ServerSession | null, url: URL): ServerSession {
  if (!session) signIn(url);
  return session!;
}
const keyOf = (form: FormData) => {
  const key = String(form.get('clientMutationId') ?? '');
  return /^[\w.:-]{1,100}$/.test(key) ? key : crypto.randomUUID();
};

/** The board's range: `?from=YYYY-MM-DD` (default today) for `?view=day` or a week. */
function rangeOf(url: URL) {
  const view = url.searchParams.get('view') === 'day' ? 'day' : 'week';
  const asked = url.searchParams.get('from') ?? '';
  const from = /^\d{4}-\d{2}-\d{2}$/.test(asked) && !Number.isNaN(Date.parse(`${asked}T00:00:00Z`)) ? new Date(`${asked}T00:00:00Z`) : new Date(new Date().toISOString().slice(0, 10) + 'T00:00:00Z');
  const to = new Date(from.getTime() + (view === 'day' ? 1 : 7) * DAY);
  return { view, from, to } as const;
}

export const load: PageServerLoad = async ({ locals, url }) => {
  const session = requireSession(locals.session, url);
  const { view, from, to } = rangeOf(url);
  const r = await sessionGraphql<{ visitBoard: Board }>(session, BOARD, { from: from.toISOString(), to: to.toISOString() });
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') signIn(url);
    if (r.code === 'FORBIDDEN') return { board: null, view, from: from.toISOString().slice(0, 10), key: crypto.randomUUID() };
    error(503, 'We could not load the visit board right now. Please try again in a moment.');
  }
  return { board: r.data.visitBoard, view, from: from.toISOString().slice(0, 10), key: crypto.randomUUID() };
};

async function run(locals: App.Locals, url: URL, request: Request, action: keyof typeof MUTATIONS) {
  const session = requireSession(locals.session, url);
  const form = await request.formData();
  const workOrderId = String(form.get('workOrderId') ?? '');
  const slotId = String(form.get('slotId') ?? '');
  const crewId = String(form.get('crewId') ?? '') || null;
  const clientMutationId = keyOf(form);
  if ((action === 'book' || action === 'move') && !slotId) return fail(400, { action, workOrderId, message: 'Pick a slot first.' });
  if (action === 'assign' && !crewId) return fail(400, { action, workOrderId, message: 'Pick a crew first.' });
  const input =
    action === 'book' || action === 'move' ? { workOrderId, slotId, crewId, clientMutationId } : action === 'assign' ? { workOrderId, crewId, clientMutationId } : { workOrderId, clientMutationId };
  const r = await sessionGraphql(session, MUTATIONS[action], { input });
  if (!r.ok) {
    if (r.reason === 'unauthenticated') signIn(url);
    return fail(r.code === 'CONFLICT' ? 409 : 400, { action, workOrderId, message: r.reason === 'graphql' ? r.detail : 'That did not work. Please try again.' });
  }
  return { action, workOrderId, done: true };
}

export const actions: Actions = {
  book: ({ locals, url, request }) => run(locals, url, request, 'book'),
  move: ({ locals, url, request }) => run(locals, url, request, 'move'),
  assign: ({ locals, url, request }) => run(locals, url, request, 'assign'),
  cancel: ({ locals, url, request }) => run(locals, url, request, 'cancel'),
};
