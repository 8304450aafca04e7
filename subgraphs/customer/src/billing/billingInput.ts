import { badInput } from '@wisp/shared';

/** Longest invoice number or payment reference. @default 64 */
export const MAX_REFERENCE_LENGTH = 64;
/** Longest link to an invoice on the billing system. @default 2048 */
export const MAX_URL_LENGTH = 2048;

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** An ISO 4217 code the platform knows how to write amounts in. */
export function checkCurrency(value: string, field: string): string {
  const code = String(value ?? '').trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code) || !CURRENCIES.has(code)) throw badInput('Give an ISO 4217 currency code such as USD.', field);
  return code;
}

/** A calendar date, YYYY-MM-DD, that exists; null stays null. */
export function checkDate(value: string | null | undefined, field: string): string | null {
  if (value == null || value === '') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) throw badInput('Give a date as YYYY-MM-DD.', field);
  return value;
}

/** An ISO 8601 date and time with its offset (a moment, not a local time). */
export function checkMoment(value: string, field: string): Date {
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(String(value ?? ''));
  const d = ok ? new Date(value) : null;
  if (!d || Number.isNaN(d.getTime())) throw badInput('Give a date and time with its offset, e.g. 2026-11-01T09:00:00Z.', field);
  return d;
}

/** The billing system's own key of a record: trimmed, 1 to {@link MAX_REFERENCE_LENGTH} characters, no line breaks. */
export function checkReference(value: string, field: string): string {
  const v = String(value ?? '').trim();
  if (v.length < 1 || v.length > MAX_REFERENCE_LENGTH || CONTROL.test(v)) throw badInput(`Give 1 to ${MAX_REFERENCE_LENGTH} characters, without line breaks.`, field);
  return v;
}

/** An https link without credentials in it; null or empty stays null. */
export function checkHttpsUrl(value: string | null | undefined, field: string): string | null {
  if (value == null || value.trim() === '') return null;
  const v = value.trim();
  let url: URL | null = null;
  try {
    url = new URL(v);
  } catch {
    url = null;
  }
  if (!url || url.protocol !== 'https:' || url.username || url.password || v.length > MAX_URL_LENGTH) {
    throw badInput(`Give an https:// address of at most ${MAX_URL_LENGTH} characters.`, field);
  }
  return url.href;
}

/** Short free text such as a payment method; null or empty stays null. */
export function checkShortText(value: string | null | undefined, field: string, max: number): string | null {
  if (value == null || value.trim() === '') return null;
  const v = value.trim();
  if (v.length > max || CONTROL.test(v)) throw badInput(`At most ${max} characters, without line breaks.`, field);
  return v;
}
