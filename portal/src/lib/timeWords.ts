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
