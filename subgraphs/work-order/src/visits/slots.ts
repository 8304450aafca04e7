/**
 * Visit slots: a tenant's weekly templates (e.g. Monday 08:00–10:00) turned into instants in the
 * tenant's time zone. Wall-clock times are converted day by day, so a slot keeps its local hours
 * across daylight-saving changes (08:00 stays 08:00, whatever the UTC offset that day).
 */

/** A weekly slot: ISO weekday (1 = Monday … 7 = Sunday) and local start/end times ("08:00"). */
export interface SlotTemplate {
  weekday: number;
  start: string;
  end: string;
}

/** One crew (or technician) and the sites it serves; no sites means every site. */
export interface Crew {
  id: string;
  name: string;
  sites: string[];
}

/** A tenant's visit capacity as booking reads it. */
export interface Capacity {
  timeZone: string;
  slots: SlotTemplate[];
  crews: Crew[];
  /** Local dates ("2026-12-25") with no visits. */
  blackoutDates: string[];
  /** Customers book at least this long ahead. */
  leadTimeHours: number;
  /** Customers reschedule or cancel at least this long before the visit starts. */
  cutoffHours: number;
  /** Ticket categories that need a visit unless staff say otherwise. */
  visitCategories: string[];
}

/** What a tenant that has not set its capacity yet offers: weekdays 8–10, 10–12, 13–15, 15–17, one crew. */
export const DEFAULT_CAPACITY: Omit<Capacity, 'timeZone'> = {
  slots: [1, 2, 3, 4, 5].flatMap((weekday) =>
    [
      ['08:00', '10:00'],
      ['10:00', '12:00'],
      ['13:00', '15:00'],
      ['15:00', '17:00'],
    ].map(([start, end]) => ({ weekday, start: start!, end: end! })),
  ),
  crews: [{ id: 'crew-1', name: 'Field crew 1', sites: [] }],
  blackoutDates: [],
  leadTimeHours: 24,
  cutoffHours: 24,
  visitCategories: ['INSTALLATION', 'RELOCATION', 'EQUIPMENT'],
};

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
export const isLocalTime = (s: string) => TIME.test(s);
export const isLocalDate = (s: string) => DATE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsIn(t: number, tz: string) {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(tz, f);
  }
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(t))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out as { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

/** The zone's offset from UTC at instant `t`, in ms (local wall time minus UTC). */
function offsetAt(t: number, tz: string): number {
  const p = partsIn(t, tz);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(t / 1000) * 1000;
}

/**
 * The instant at which the wall clock in `tz` shows `date` `time`. A time skipped by a
 * daylight-saving jump lands just after it (02:30 becomes 03:30); a repeated one takes its first
 * occurrence.
 */
export function zonedInstant(date: string, time: string, tz: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  // Two rounds find the offset in force at the wanted local time, not at the UTC instant `wall`.
  let t = wall - offsetAt(wall, tz);
  const second = wall - offsetAt(t, tz);
  if (second !== t && wall - offsetAt(second, tz) === second) t = second;
  // Of two valid readings (the repeated hour), the earlier instant.
  const earlier = t - 3600_000;
  if (wall - offsetAt(earlier, tz) === earlier) t = earlier;
  return new Date(t);
}

/** The local date ("2026-03-08") in `tz` at instant `t`. */
export function localDate(t: Date, tz: string): string {
  const p = partsIn(t.getTime(), tz);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** ISO weekday of a local date: 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: string): number {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 ? 7 : day;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export interface Slot {
  start: Date;
  end: Date;
  /** The local date it falls on. */
  date: string;
}

/** The tenant's slots that start in [from, to), blackout dates left out, in start order. */
export function slotsBetween(cap: Pick<Capacity, 'slots' | 'blackoutDates' | 'timeZone'>, from: Date, to: Date): Slot[] {
  const out: Slot[] = [];
  const blackout = new Set(cap.blackoutDates);
  const last = localDate(to, cap.timeZone);
  for (let date = localDate(from, cap.timeZone), i = 0; date <= last && i < 400; date = addDays(date, 1), i++) {
    if (blackout.has(date)) continue;
    const weekday = weekdayOf(date);
    for (const tpl of cap.slots) {
      if (tpl.weekday !== weekday) continue;
      const start = zonedInstant(date, tpl.start, cap.timeZone);
      if (start < from || start >= to) continue;
      out.push({ start, end: zonedInstant(date, tpl.end, cap.timeZone), date });
    }
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime());
}

/** Why an instant is not a slot one may book, ignoring the blackout dates; null when it is a slot. */
export function slotAt(cap: Pick<Capacity, 'slots' | 'timeZone'>, start: Date): Slot | null {
  const date = localDate(start, cap.timeZone);
  const weekday = weekdayOf(date);
  for (const tpl of cap.slots) {
    if (tpl.weekday !== weekday) continue;
    if (zonedInstant(date, tpl.start, cap.timeZone).getTime() === start.getTime()) return { start, end: zonedInstant(date, tpl.end, cap.timeZone), date };
  }
  return null;
}

/** The crews that serve a site (every crew without sites serves all). */
export const crewsFor = (cap: Pick<Capacity, 'crews'>, site: string | null | undefined) => cap.crews.filter((c) => c.sites.length === 0 || (!!site && c.sites.includes(site)));

/**
 * A slot's public id: the tenant and the start instant. It names the slot to the booking
 * mutations; a slot id of another tenant is refused as not found.
 */
export const slotId = (tenantId: string, start: Date) => `${tenantId}.${start.getTime().toString(36)}`;

export function parseSlotId(id: string): { tenantId: string; start: Date } | null {
  const m = /^([0-9a-f]{24})\.([0-9a-z]{1,12})$/.exec(id);
  if (!m) return null;
  const ms = parseInt(m[2]!, 36);
  return Number.isFinite(ms) ? { tenantId: m[1]!, start: new Date(ms) } : null;
}
