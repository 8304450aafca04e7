import { fail } from '@sveltejs/kit';
import { sessionGraphql } from '$lib/server/session';
import { adminOnly, requireStaffSession, staffSignIn } from '$lib/server/staffGate';
import type { Actions, PageServerLoad } from './$types';
import { CLOCKS, PRIORITIES, type Policy, type PolicyDraft, type ServiceLevelsForm } from './serviceLevels';

const FIELDS = 'timeZone custom businessHours { day open close } targets { priority firstResponseMinutes nextUpdateMinutes resolutionMinutes }';

/** The tenant's service levels (business hours and targets per priority), rendered by the server; saved with one form post. */
export const load: PageServerLoad = async ({ locals, url }) => {
  const session = requireStaffSession(locals.session, url);
  const r = await sessionGraphql<{ slaPolicy: Policy }>(session, `{ slaPolicy { ${FIELDS} } }`);
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') staffSignIn(url);
    return { policy: null, loadError: r.reason === 'graphql' ? r.detail : 'The service levels could not be loaded right now. Please try again in a moment.' };
  }
  return { policy: r.data.slaPolicy, loadError: null };
};

const TIME = /^\d{2}:\d{2}$/;

/** The form as posted: a day is open when its box is ticked; a closed day keeps the hours it showed. */
function draftOf(form: FormData): PolicyDraft {
  const time = (name: string, fallback: string) => {
    const v = String(form.get(name) ?? '');
    return TIME.test(v) ? v : fallback;
  };
  return {
    days: [1, 2, 3, 4, 5, 6, 7].map((day) => ({ day, open: form.get(`open-${day}`) !== null, from: time(`from-${day}`, '08:00'), to: time(`to-${day}`, '18:00') })),
    targets: PRIORITIES.map((priority) => ({
      priority,
      ...(Object.fromEntries(CLOCKS.map(([key]) => [key, String(form.get(`${priority}-${key}`) ?? '').trim().slice(0, 12)])) as Record<(typeof CLOCKS)[number][0], string>),
    })),
  };
}

export const actions = adminOnly<Actions>({
  save: async ({ locals, url, request }) => {
    const session = requireStaffSession(locals.session, url);
    const draft = draftOf(await request.formData());
    const bad = draft.targets.flatMap((t) => CLOCKS.filter(([key]) => !/^\d{1,6}$/.test(t[key])).map(([key]) => `${t.priority}-${key}`));
    if (bad.length) return fail(400, { draft, invalid: bad, message: { ok: false, text: 'Every target is a whole number of minutes.' } } satisfies ServiceLevelsForm);
    const input = {
      businessHours: draft.days.filter((d) => d.open).map((d) => ({ day: d.day, open: d.from, close: d.to })),
      targets: draft.targets.map((t) => ({ priority: t.priority, ...Object.fromEntries(CLOCKS.map(([key]) => [key, Number(t[key])])) })),
    };
    const r = await sessionGraphql(session, `mutation Save($input: SlaPolicyInput!) { updateSlaPolicy(input: $input) { ${FIELDS} } }`, { input });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') staffSignIn(url);
      return fail(r.reason === 'graphql' ? 400 : 503, { draft, invalid: [], message: { ok: false, text: r.reason === 'graphql' ? r.detail : 'That did not work. Please try again in a moment.' } } satisfies ServiceLevelsForm);
    }
    return { message: { ok: true, text: 'Service levels saved. Every open ticket is now counted against them.' } } satisfies ServiceLevelsForm;
  },
});
