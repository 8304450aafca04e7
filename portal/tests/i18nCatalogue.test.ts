import { describe, expect, it } from 'vitest';
import { IntlMessageFormat } from 'intl-messageformat';
import { SUPPORTED_LANGUAGES } from '@wisp/shared/languages';
import { CATALOGUES } from '../src/lib/i18n/messages/index.ts';
import { createTranslator, registerCatalogues } from '../src/lib/i18n/translator.ts';
import { acceptedLanguages, chooseLanguage } from '../src/lib/i18n/negotiate.ts';

registerCatalogues(CATALOGUES);

// intl-messageformat's element kinds (its TYPE enum).
const ARGUMENT_KINDS = new Set([1, 2, 3, 4, 5, 6]);
const PLURAL = 6;
const SELECT = 5;
type Element = { type: number; value?: string; options?: Record<string, { value: Element[] }>; children?: Element[] };

/** Every argument a message uses, with how (`plural`, `select`, plain), and each plural's forms. */
function argumentsOf(elements: Element[], into = new Map<string, { kind: number; forms: string[] }>()) {
  for (const e of elements) {
    if (ARGUMENT_KINDS.has(e.type) && e.value) {
      const known = into.get(e.value);
      const forms = e.type === PLURAL || e.type === SELECT ? Object.keys(e.options ?? {}) : [];
      into.set(e.value, { kind: known && known.kind > e.type ? known.kind : e.type, forms: [...(known?.forms ?? []), ...forms] });
    }
    for (const option of Object.values(e.options ?? {})) argumentsOf(option.value, into);
    if (e.children) argumentsOf(e.children, into);
  }
  return into;
}

const ast = (message: string, lang: string) => new IntlMessageFormat(message, lang).getAst() as unknown as Element[];
const en = CATALOGUES.en as Record<string, string>;

describe('the portal’s message catalogues', () => {
  it('has a catalogue for every supported language', () => {
    expect(Object.keys(CATALOGUES).sort()).toEqual(SUPPORTED_LANGUAGES.map((l) => l.code).sort());
  });

  for (const { code } of SUPPORTED_LANGUAGES) {
    const table = CATALOGUES[code] as Record<string, string>;

    it(`${code}: has every English key, and nothing English lacks`, () => {
      expect(Object.keys(table).filter((k) => !(k in en))).toEqual([]);
      expect(Object.keys(en).filter((k) => !(k in table) || !table[k]!.trim())).toEqual([]);
    });

    it(`${code}: every message parses as ICU and takes the same values as English`, () => {
      for (const [key, source] of Object.entries(en)) {
        const mine = argumentsOf(ast(table[key]!, code));
        const reference = argumentsOf(ast(source, 'en'));
        expect([...mine.keys()].sort(), `${code} ${key}`).toEqual([...reference.keys()].sort());
        for (const [name, { kind, forms }] of reference) {
          // A count keeps its plural in every language, with the forms that language needs.
          if (kind === PLURAL) {
            expect(mine.get(name)?.kind, `${code} ${key}: ${name} is a plural`).toBe(PLURAL);
            const needed = new Intl.PluralRules(code).resolvedOptions().pluralCategories.filter((c) => c === 'one' || c === 'other');
            for (const form of needed) expect(mine.get(name)?.forms, `${code} ${key}: ${name} needs "${form}"`).toContain(form);
          }
          if (kind === SELECT) {
            expect(mine.get(name)?.kind, `${code} ${key}: ${name} is a select`).toBe(SELECT);
            expect(new Set(mine.get(name)?.forms), `${code} ${key}: ${name} choices`).toEqual(new Set(forms));
          }
        }
      }
    });
  }

  it('counts read right in each language', () => {
    const says = (lang: 'en' | 'es' | 'fr', count: number) => createTranslator(lang).t('status.summary', { count });
    expect(says('en', 0)).toBe('All services are running normally.');
    expect(says('en', 1)).toBe('We are working on 1 problem affecting service.');
    expect(says('en', 3)).toBe('We are working on 3 problems affecting service.');
    expect(says('es', 1)).toBe('Estamos trabajando en 1 problema que afecta al servicio.');
    expect(says('es', 2)).toBe('Estamos trabajando en 2 problemas que afectan al servicio.');
    expect(says('fr', 1)).toBe('Nous travaillons sur 1 problème qui affecte le service.');
    expect(says('fr', 4)).toBe('Nous travaillons sur 4 problèmes qui affectent le service.');
  });
});

describe('times in the reader’s language and the WISP’s zone', () => {
  const now = '2026-12-04T18:00:00Z';
  it('writes a moment in the tenant’s zone, in the page’s language', () => {
    // 15:30 UTC is 9:30 in Chicago and 16:30 in Madrid.
    expect(createTranslator('en', 'America/Chicago').moment('2026-12-03T15:30:00Z', { now })).toBe('Thu, Dec 3, 9:30 AM');
    expect(createTranslator('es', 'Europe/Madrid').moment('2026-12-03T15:30:00Z', { now })).toBe('jue, 3 dic, 16:30');
    expect(createTranslator('fr', 'Europe/Paris').moment('2026-12-03T15:30:00Z', { now })).toBe('jeu. 3 déc., 16:30');
  });

  it('says how long ago in words of the page’s language', () => {
    expect(createTranslator('en').relative('2026-12-04T17:55:00Z', now)).toBe('5 minutes ago');
    expect(createTranslator('es').relative('2026-12-04T17:55:00Z', now)).toBe('hace 5 minutos');
    expect(createTranslator('fr').relative('2026-12-04T15:00:00Z', now)).toBe('il y a 3 heures');
    expect(createTranslator('fr').relative('2026-12-03T18:00:00Z', now)).toBe('hier');
    expect(createTranslator('es').relative('2026-12-04T17:59:40Z', now)).toBe('ahora mismo');
  });

  it('falls back to English for a key a language lacks, and shows an unknown enum value in words', () => {
    expect(createTranslator('es').label('ticketStatus', 'SOMETHING_NEW')).toBe('Something new');
    expect(createTranslator('fr').label('ticketStatus', 'IN_PROGRESS')).toBe('En cours');
  });
});

describe('choosing a page’s language', () => {
  it('reads Accept-Language by preference, leaving out refusals', () => {
    expect(acceptedLanguages('fr-CA,fr;q=0.9,en;q=0.8')).toEqual(['fr', 'fr', 'en']);
    expect(acceptedLanguages('en;q=0.2, es-MX')).toEqual(['es', 'en']);
    expect(acceptedLanguages('fr;q=0, es;q=0.5')).toEqual(['es']);
    expect(acceptedLanguages('')).toEqual([]);
  });

  it('takes the visitor’s choice, then their browser’s, then the tenant’s default, never an unoffered language', () => {
    expect(chooseLanguage({ chosen: 'fr', acceptLanguage: 'es', tenantDefault: 'en' })).toBe('fr');
    expect(chooseLanguage({ acceptLanguage: 'de, es;q=0.5', tenantDefault: 'fr' })).toBe('es');
    expect(chooseLanguage({ acceptLanguage: 'de', tenantDefault: 'fr' })).toBe('fr');
    expect(chooseLanguage({})).toBe('en');
    // A tenant that offers English and Spanish only.
    const offered = ['en', 'es'];
    expect(chooseLanguage({ chosen: 'fr', acceptLanguage: 'fr', offered, tenantDefault: 'es' })).toBe('es');
    expect(chooseLanguage({ acceptLanguage: 'fr-FR, en;q=0.5', offered })).toBe('en');
    expect(chooseLanguage({ chosen: 'xx', offered: ['fr'] })).toBe('fr');
  });
});
