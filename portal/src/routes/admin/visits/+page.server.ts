import { error, fail, redirect } from '@sveltejs/kit';
import { sessionGraphql } from '$lib/server/session';
import { adminOnly } from '$lib/server/staffGate';
import type { Actions, PageServerLoad } from './$types';
import type { Capacity } from './capacityText';

const FIELDS = `timeZone slots { weekday start end } crews { id name sites } blackoutDates leadTimeHours cutoffHours visitCategories`;
const LOAD = `{ visitCapacity { ${FIELDS} } }`;
const SAVE = `mutation($input: VisitCapacityInput!) { updateVisitCapacity(input: $input) { ${FIELDS} } }`;
const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

const signIn = (url: URL) => redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);

const lines = (v: FormDataEntryValue | null) => String(v ?? '').split(/\r?\n/).map((l) => l.trim()).filter(Boolean);

/** Parses the form; the first line it cannot read is named back to the admin. */
function parse(form: FormData): { input: Record<string, unknown> } | { problem: string } {
  const slots = [];
  for (const line of lines(form.get('slots'))) {
    const m = /^(\w+)\s+(\d{2}:\d{2})\s*[-–]\s*(\d{2}:\d{2})$/.exec(line);
    const weekday = m ? WEEKDAYS.find((w) => w.startsWith(m[1]!.toUpperCase().slice(0, 3))) : undefined;
    if (!m || !weekday) return { problem: `Slot "${line}" is not like "Monday 08:00-10:00".` };
    slots.push({ weekday, start: m[2], end: m[3] });
  }
  const crews = [];
  for (const line of lines(form.get('crews'))) {
    const m = /^([\w.-]+)\s*:\s*([^@]+?)\s*(?:@\s*(.+))?$/.exec(line);
    if (!m) return { problem: `Crew "${line}" is not like "crew-1: North crew @ Ridge Tower, Hill Site".` };
    crews.push({ id: m[1], name: m[2], sites: (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean) });
  }
  const blackoutDates = String(form.get('blackoutDates') ?? '').split(/[\s,]+/).filter(Boolean);
  return {
    input: {
      slots,
      crews,
      blackoutDates,
      leadTimeHours: Number(form.get('leadTimeHours')),
      cutoffHours: Number(form.get('cutoffHours')),
      visitCategories: form.getAll('visitCategories').map(String),
    },
  };
}

export const load: PageServerLoad = async ({ locals, url }) => {
  if (!locals.session) signIn(url);
  const r = await sessionGraphql<{ visitCapacity: Capacity }>(locals.session, LOAD);
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') signIn(url);
    if (r.code === 'FORBIDDEN') return { capacity: null };
    error(503, 'We could not load the visit capacity right now. Please try again in a moment.');
  }
  return { capacity: r.data.visitCapacity };
};

export const actions: Actions = adminOnly({
  save: async ({ locals, url, request }) => {
    if (!locals.session) signIn(url);
    const form = await request.formData();
    const parsed = parse(form);
    if ('problem' in parsed) return fail(400, { message: parsed.problem });
    const r = await sessionGraphql<{ updateVisitCapacity: Capacity }>(locals.session, SAVE, { input: parsed.input });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') signIn(url);
      return fail(400, { message: r.reason === 'graphql' ? r.detail : 'The visit capacity could not be saved. Please try again.' });
    }
    return { saved: true };
  },
});
