/**
 * Service-level targets counted in a tenant's business hours, in its own time zone.
 *
 * A window is one day's opening, `open`–`close` as "HH:MM" wall-clock times; a day may have several
 * windows (a lunch break) or none (closed). Days are ISO weekdays: 1 Monday … 7 Sunday. Times are
 * worked out per calendar day in the zone, so a day with a daylight-saving change is as long as
 * its wall clock says.
 */
export interface BusinessWindow {
  day: number;
  open: string;
  close: string;
}

export type SlaPriority = 'LOW' | 'MEDIUM' | 'HIGH' | 'URGENT';

/** Minutes of business time each clock may run before it is overdue. */
export interface SlaTarget {
  priority: SlaPriority;
  firstResponseMinutes: number;
  nextUpdateMinutes: number;
  resolutionMinutes: number;
}

export interface SlaPolicyValue {
  businessHours: BusinessWindow[];
  targets: SlaTarget[];
}

/** Monday to Friday, 8 am to 6 pm, and targets tightening with priority: a tenant's start until it sets its own. */
export const DEFAULT_SLA_POLICY: SlaPolicyValue = {
  businessHours: [1, 2, 3, 4, 5].map((day) => ({ day, open: '08:00', close: '18:00' })),
  targets: [
    { priority: 'URGENT', firstResponseMinutes: 30, nextUpdateMinutes: 60, resolutionMinutes: 240 },
    { priority: 'HIGH', firstResponseMinutes: 120, nextUpdateMinutes: 240, resolutionMinutes: 1200 },
    { priority: 'MEDIUM', firstResponseMinutes: 240, nextUpdateMinutes: 600, resolutionMinutes: 3000 },
    { priority: 'LOW', firstResponseMinutes: 600, nextUpdateMinutes: 1200, resolutionMinutes: 6000 },
  ],
};

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
export const isWallTime = (s: string) => HHMM.test(s);
const minutesOf = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

const partsFormat = new Map<string, Intl.DateTimeFormat>();
function wallClock(at: number, timeZone: string) {
  let f = partsFormat.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    partsFormat.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  return { y: Number(p.year), m: Number(p.month), d: Number(p.day), h: Number(p.hour), min: Number(p.minute), s: Number(p.second) };
}

/** The zone's offset from UTC at an instant, in ms. */
function offsetAt(at: number, timeZone: string) {
  const w = wallClock(at, timeZone);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s) - Math.floor(at / 1000) * 1000;
}

/** The instant a wall-clock time of a calendar day has in the zone (a time skipped by a DST change moves on by the gap). */
function instantOf(y: number, m: number, d: number, minutes: number, timeZone: string) {
  const guess = Date.UTC(y, m - 1, d, 0, minutes);
  const first = guess - offsetAt(guess, timeZone);
  return guess - offsetAt(first, timeZone);
}

/** The ISO weekday (1 Monday … 7 Sunday) of a calendar date. */
const weekday = (y: number, m: number, d: number) => ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1;

/**
 * The instant `minutes` of business time after `start`. With no business hours at all, every
 * minute counts. Gives up after a year of closed days (answers null), which only a policy with
 * windows that never open can reach.
 */
export function addBusinessMinutes(start: Date, minutes: number, hours: BusinessWindow[], timeZone: string): Date | null {
  if (!hours.length) return new Date(start.getTime() + minutes * 60_000);
  let left = minutes * 60_000;
  const from = start.getTime();
  const today = wallClock(from, timeZone);
  for (let i = 0; i < 400; i++) {
    const day = new Date(Date.UTC(today.y, today.m - 1, today.d + i));
    const [y, m, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    const windows = hours.filter((w) => w.day === weekday(y, m, d)).sort((a, b) => minutesOf(a.open) - minutesOf(b.open));
    for (const w of windows) {
      const opens = instantOf(y, m, d, minutesOf(w.open), timeZone);
      const closes = instantOf(y, m, d, minutesOf(w.close), timeZone);
      const begin = Math.max(opens, from);
      if (begin >= closes) continue;
      if (left <= closes - begin) return new Date(begin + left);
      left -= closes - begin;
    }
  }
  return null;
}

/** What is wrong with a policy, by field; empty when it can be saved. */
export function slaPolicyProblems(policy: SlaPolicyValue): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  if (policy.businessHours.length > 21) problems.push({ field: 'businessHours', message: 'At most three windows a day.' });
  for (const [i, w] of policy.businessHours.entries()) {
    if (!Number.isInteger(w.day) || w.day < 1 || w.day > 7) problems.push({ field: `businessHours.${i}.day`, message: 'A day is 1 (Monday) to 7 (Sunday).' });
    if (!isWallTime(w.open) || !isWallTime(w.close)) problems.push({ field: `businessHours.${i}`, message: 'Times are HH:MM, 00:00 to 24:00.' });
    else if (minutesOf(w.open) >= minutesOf(w.close)) problems.push({ field: `businessHours.${i}`, message: 'A window closes after it opens.' });
  }
  const seen = new Set<string>();
  for (const [i, t] of policy.targets.entries()) {
    if (seen.has(t.priority)) problems.push({ field: `targets.${i}.priority`, message: `${t.priority} is listed twice.` });
    seen.add(t.priority);
    for (const k of ['firstResponseMinutes', 'nextUpdateMinutes', 'resolutionMinutes'] as const) {
      if (!Number.isInteger(t[k]) || t[k] < 1 || t[k] > 60 * 24 * 90) problems.push({ field: `targets.${i}.${k}`, message: 'Between 1 minute and 90 days of business time.' });
    }
  }
  return problems;
}
