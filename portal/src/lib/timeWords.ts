import type { WordsOptions } from '$lib/notifications/deliveryWords';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "5 minutes ago", "in 2 hours", "just now": how far a moment is from now, in `locale` ("hace 5 minutos"). */
export function relativeInWords(iso: string, options: WordsOptions & { justNow?: string } = {}): string {
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return '';
  const diff = at - (options.now ?? new Date()).getTime();
  if (Math.abs(diff) < 60_000) return options.justNow ?? 'just now';
  const rtf = new Intl.RelativeTimeFormat(options.locale, { numeric: 'auto' });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms || unit === 'minute') return rtf.format(Math.round(diff / ms), unit);
  }
  return '';
}

/** "12 min", "5 h 10 min", "3 d 4 h": how long since a moment, in the two largest units, for dense lists. */
export function elapsedShort(iso: string, now: Date = new Date()): string {
  return durationShort(now.getTime() - new Date(iso).getTime());
}

/** A length of time in the two largest units: "12 min", "5 h 10 min", "3 d 4 h". */
export function durationShort(ms: number): string {
  if (Number.isNaN(ms)) return '';
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days) return hours ? `${days} d ${hours} h` : `${days} d`;
  if (hours) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${minutes} min`;
}

const CLOCK_WORDS: Record<string, string> = { FIRST_RESPONSE: 'First reply', NEXT_UPDATE: 'Update', RESOLUTION: 'Resolution' };

/** "First reply due in 2 h", "Update overdue by 35 min": a ticket's nearest service-level clock, for staff. */
export function slaClockWords(clock: { kind: string; dueAt: string; overdue: boolean }, now: Date = new Date()): string {
  const what = CLOCK_WORDS[clock.kind] ?? clock.kind;
  if (clock.overdue) return `${what} overdue by ${elapsedShort(clock.dueAt, now)}`;
  return `${what} due in ${durationShort(new Date(clock.dueAt).getTime() - now.getTime())}`;
}
