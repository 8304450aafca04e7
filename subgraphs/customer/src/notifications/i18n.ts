import { DEFAULT_LANGUAGE, isLanguage, type LanguageCode } from '@wisp/shared';
import { IntlMessageFormat } from 'intl-messageformat';
import { MESSAGES, type MessageId } from './messages.ts';

const compiled = new Map<string, IntlMessageFormat>();

/** The language to write in: the customer's, else the WISP's default, else English. */
export function languageFor(...choices: (string | null | undefined)[]): LanguageCode {
  for (const c of choices) {
    const base = c?.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return DEFAULT_LANGUAGE;
}

/** One message in `language`, English when that language lacks it. */
export function t(language: LanguageCode, id: MessageId, values: Record<string, string | number> = {}): string {
  const table: Record<string, string> = MESSAGES[language] ?? MESSAGES.en;
  const source = table[id] ?? MESSAGES.en[id];
  const lang = table[id] ? language : 'en';
  const key = `${lang}:${id}`;
  let format = compiled.get(key);
  if (!format) {
    format = new IntlMessageFormat(source, lang);
    compiled.set(key, format);
  }
  return String(format.format(values));
}
