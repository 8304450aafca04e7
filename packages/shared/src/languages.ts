/** The languages the platform writes to customers in. English is the fallback for anything missing. */
export const SUPPORTED_LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'es', name: 'Español' },
  { code: 'fr', name: 'Français' },
] as const;

export type LanguageCode = (typeof SUPPORTED_LANGUAGES)[number]['code'];

export const DEFAULT_LANGUAGE: LanguageCode = 'en';

export const isLanguage = (s: unknown): s is LanguageCode => typeof s === 'string' && SUPPORTED_LANGUAGES.some((l) => l.code === s);

/** True for an IANA time zone name this runtime knows (e.g. America/Chicago). */
export function isTimeZone(s: unknown): s is string {
  if (typeof s !== 'string' || !s || s.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: s });
    return true;
  } catch {
    return false;
  }
}
