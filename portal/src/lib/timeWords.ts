import type { WordsOptions } from '$lib/notifications/deliveryWords';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "5 minutes ago", "in 2 hours", "just now": how far a moment is from now. */
export function relativeInWords(iso: string, options: WordsOptions = {}): string {
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return '';
  const diff = at - (options.now ?? new Date()).getTime();
  if (Math.abs(diff) < 60_000) return 'just now';
  const rtf = new Intl.RelativeTimeFormat(options.locale, { numeric: 'auto' });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms || unit === 'minute') return rtf.format(Math.round(diff / ms), unit);
  }
  return '';
}

/** "12 min", "5 h 10 min", "3 d 4 h": how long since a moment, in the two largest units, for dense lists. */
export function elapsedShort(iso: string, now: Date = new Date()): string {
  const since = now.getTime() - new Date(iso).getTime();
  if (Number.isNaN(since)) return '';
  const minutes = Math.max(0, Math.floor(since / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  if (days) return hours ? `${days} d ${hours} h` : `${days} d`;
  if (hours) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${minutes} min`;
}
