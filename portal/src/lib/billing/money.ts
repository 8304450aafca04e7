/**
 * An amount in a currency's minor unit (cents for USD, whole yen for JPY) written for people,
 * e.g. `$69.00`; the currency's own number of decimals comes from Intl.
 */
export function formatMoney(minorUnits: number, currency: string, locale = 'en'): string {
  try {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minorUnits / 10 ** digits);
  } catch {
    return `${(minorUnits / 100).toFixed(2)} ${currency}`;
  }
}

/** A moment as a date in the WISP's time zone, e.g. `Nov 1, 2026`. */
export function formatDay(iso: string, timeZone: string | null | undefined, locale = 'en'): string {
  try {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: timeZone ?? 'UTC' }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));
  }
}

/** A calendar date (YYYY-MM-DD, no time zone) as people read it, e.g. `Nov 15, 2026`. */
export function formatCalendarDate(ymd: string, locale = 'en'): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return ymd;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
}
