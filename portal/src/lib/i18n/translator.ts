import { IntlMessageFormat } from 'intl-messageformat';
import type { LanguageCode } from '@wisp/shared/languages';
import { momentInWords } from '../notifications/deliveryWords';
import { relativeInWords } from '../timeWords';
import type { MessageKey } from './messages';

/** Values an ICU message takes: `{count, plural, one {# ticket} other {# tickets}}` wants `{ count: 3 }`. */
export type MessageValues = Record<string, string | number | Date | null | undefined>;

/**
 * Everything a page needs to speak its reader's language: messages and the WISP's times written
 * for that language, in the WISP's time zone. One per request on the server (nothing global), so
 * concurrent requests in different languages never share one.
 */
export interface Translator {
  readonly lang: LanguageCode;
  /** The IANA zone times are shown in; undefined: the reader's own (in a browser) or UTC (on the server). */
  readonly timeZone: string | undefined;
  /** One message, English when this language lacks it, the key itself when no language has it. */
  t(key: MessageKey, values?: MessageValues): string;
  /**
   * The text before and after one placeholder, for markup around a value in a sentence:
   * `const [before, after] = i18n.around('outage.workingEta', 'eta')` then
   * `{before}<time>…</time>{after}`. Word order stays the translation's own.
   */
  around(key: MessageKey, slot: string, values?: MessageValues): [string, string];
  /** An enum value in words (`ticketStatus`, `IN_PROGRESS` → "In progress"); unknown values are humanised. */
  label(group: string, value: string): string;
  /** "Wed, Dec 3, 12:55 PM" in this language and zone; `short` leaves out today's day. */
  moment(iso: string | null | undefined, options?: { short?: boolean; now?: Date | string }): string;
  /** "5 minutes ago", "hace 5 minutos", "à l’instant". */
  relative(iso: string | null | undefined, now?: Date | string): string;
  /** A number in this language's digits and separators. */
  number(n: number, options?: Intl.NumberFormatOptions): string;
}

// Parsed messages are immutable and shared by all requests; only the choice of one is per request.
const compiled = new Map<string, IntlMessageFormat>();

/** One language's messages by key. */
export type MessageTable = Readonly<Record<string, string>>;

/*
 * Where messages come from. The catalogues are not imported here, so a page's JavaScript never
 * carries every language: the server registers them all once at start (the same for every
 * request, so nothing per request is shared), and the browser gets its page's language from the
 * root layout's data.
 */
let everyLanguage: Readonly<Record<string, MessageTable>> | null = null;
let browserLanguage: { lang: string; table: MessageTable } | null = null;

/** The server's catalogues, every language; called once when it starts (hooks.server.ts). */
export function registerCatalogues(catalogues: Readonly<Record<string, MessageTable>>): void {
  everyLanguage = catalogues;
}

/** The browser's: its page's language, from the root layout's data. Never called on the server. */
export function useBrowserCatalogue(lang: string, table: MessageTable): void {
  browserLanguage = { lang, table };
}

function tableFor(lang: string): MessageTable | null {
  if (everyLanguage) return everyLanguage[lang] ?? null;
  return browserLanguage?.lang === lang ? browserLanguage.table : null;
}

function formatFrom(lang: LanguageCode, key: string, values: MessageValues | undefined, given?: MessageTable): string | null {
  const table = given ?? tableFor(lang) ?? {};
  const own = table[key];
  const source = own ?? everyLanguage?.en?.[key];
  if (source === undefined) return null;
  const from: LanguageCode = own === undefined ? 'en' : lang;
  const id = `${from}\u0000${key}`;
  let message = compiled.get(id);
  if (!message) {
    message = new IntlMessageFormat(source, from);
    compiled.set(id, message);
  }
  return String(message.format(values as Record<string, string | number>));
}

const SLOT = '\u0000';
const humanise = (value: string) => value.charAt(0) + value.slice(1).toLowerCase().replace(/_/g, ' ');
const asDate = (d: Date | string | undefined) => (d === undefined ? undefined : typeof d === 'string' ? new Date(d) : d);

/**
 * A translator for one language and time zone. `table`: that language's messages, when the caller
 * has them (the root layout, from its data); else the registered ones.
 */
export function createTranslator(lang: LanguageCode, timeZone?: string | null, table?: MessageTable): Translator {
  const zone = timeZone ?? undefined;
  const format = (l: LanguageCode, key: string, values: MessageValues | undefined) => formatFrom(l, key, values, table);
  return {
    lang,
    timeZone: zone,
    t: (key, values) => format(lang, key, values) ?? key,
    around: (key, slot, values) => {
      const [before = '', after = ''] = (format(lang, key, { ...values, [slot]: SLOT }) ?? key).split(SLOT);
      return [before, after];
    },
    label: (group, value) => format(lang, `${group}.${value}`, undefined) ?? humanise(value),
    moment: (iso, options = {}) => momentInWords(iso, { locale: lang, timeZone: zone, short: options.short, now: asDate(options.now) }),
    relative: (iso, now) => (iso ? relativeInWords(iso, { locale: lang, timeZone: zone, now: asDate(now), justNow: format(lang, 'time.justNow', undefined) ?? undefined }) : ''),
    number: (n, options) => new Intl.NumberFormat(lang, options).format(n),
  };
}
