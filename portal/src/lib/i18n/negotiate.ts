import { DEFAULT_LANGUAGE, isLanguage, SUPPORTED_LANGUAGES, type LanguageCode } from '@wisp/shared/languages';

/** The cookie holding a visitor's own choice of language (from the footer's picker). */
export const LANGUAGE_COOKIE = 'wisp_lang';

/** Which of `offered` (in the tenant's order) the tenant's portal may be read in: all supported ones when it chose none. */
export function offeredLanguages(offered: readonly string[] | null | undefined): LanguageCode[] {
  const known = (offered ?? []).filter(isLanguage);
  return known.length ? [...new Set(known)] : SUPPORTED_LANGUAGES.map((l) => l.code);
}

/**
 * The languages an `Accept-Language` header asks for, most wanted first, as base codes
 * (`es-MX;q=0.8` → `es`). Entries with q=0 are refusals and are left out.
 */
export function acceptedLanguages(header: string | null | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .slice(0, 20)
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { base: tag.trim().toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), i };
    })
    .filter((l) => l.base && l.base !== '*' && l.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((l) => l.base);
}

/** What decides a request's language, strongest first. */
export interface LanguageChoices {
  /** The visitor's own pick (the language cookie). */
  chosen?: string | null;
  /** The browser's `Accept-Language` header. */
  acceptLanguage?: string | null;
  /** The languages the tenant offers; all supported when empty. */
  offered?: readonly string[] | null;
  /** The tenant's default language. */
  tenantDefault?: string | null;
}

/**
 * The language a page is written in: the visitor's own choice, else the first of their browser's
 * languages the tenant offers, else the tenant's default, else the first language it offers.
 * Never a language the tenant does not offer.
 */
export function chooseLanguage({ chosen, acceptLanguage, offered, tenantDefault }: LanguageChoices): LanguageCode {
  const allowed = offeredLanguages(offered);
  const ok = (code: string | null | undefined): code is LanguageCode => isLanguage(code) && allowed.includes(code);
  if (ok(chosen)) return chosen;
  const accepted = acceptedLanguages(acceptLanguage).find(ok);
  if (accepted) return accepted;
  if (ok(tenantDefault)) return tenantDefault;
  return allowed.includes(DEFAULT_LANGUAGE) ? DEFAULT_LANGUAGE : allowed[0]!;
}
