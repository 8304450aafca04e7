/**
 * Times as people read them, in a language and time zone: "Wednesday, December 2 at 9:00 AM",
 * never an ISO string. Quiet hours are decided in the customer's time zone too.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(language: string, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${language}|${timeZone}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(language, { timeZone, ...options });
    formatters.set(key, f);
  }
  return f;
}

const DAY: Intl.DateTimeFormatOptions = { weekday: 'long', month: 'long', day: 'numeric' };
const TIME: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit' };

/** A moment: "Wednesday, December 2, 9:00 AM". */
export function formatWhen(at: Date, language: string, timeZone: string): string {
  return formatter(language, timeZone, { ...DAY, ...TIME }).format(at);
}

/** A time of day only (same day as the reader's context): "10:30 AM". */
export function formatTime(at: Date, language: string, timeZone: string): string {
  return formatter(language, timeZone, TIME).format(at);
}

/** A window: "Wednesday, December 2, 9:00 – 11:00 AM" (the range formatter joins it per language). */
export function formatWindow(start: Date, end: Date | null, language: string, timeZone: string): string {
  if (!end || end <= start) return formatWhen(start, language, timeZone);
  return formatter(language, timeZone, { ...DAY, ...TIME }).formatRange(start, end);
}

/** The local wall-clock parts of `at` in `timeZone`. */
function wallClock(at: Date, timeZone: string): { minutes: number } {
  const parts = formatter('en-GB', timeZone, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return { minutes: hour * 60 + minute };
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
export const isClockTime = (s: unknown): s is string => typeof s === 'string' && HHMM.test(s);
const minutesOf = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/**
 * When quiet hours that hold at `now` end, or null when `now` is outside them. The window may
 * cross midnight (21:00–08:00). Across a daylight-saving change the end is corrected to the
 * wall-clock time asked for.
 */
export function quietHoursEnd(now: Date, quiet: { start: string; end: string } | null | undefined, timeZone: string): Date | null {
  if (!quiet || !isClockTime(quiet.start) || !isClockTime(quiet.end) || quiet.start === quiet.end) return null;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const inside = (m: number) => (start < end ? m >= start && m < end : m >= start || m < end);
  const nowMinutes = wallClock(now, timeZone).minutes;
  if (!inside(nowMinutes)) return null;
  const minute = 60_000;
  const first = Math.floor(now.getTime() / minute) * minute;
  let at = first + ((end - nowMinutes + 1440) % 1440 || 1440) * minute;
  for (let i = 0; i < 3; i++) {
    const diff = ((end - wallClock(new Date(at), timeZone).minutes + 1440 + 720) % 1440) - 720;
    if (diff === 0) break;
    at += diff * minute;
  }
  return new Date(at);
}
