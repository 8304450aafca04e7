/**
 * The portal's languages. A component translates with the page's translator:
 *
 *   import { useI18n } from '$lib/i18n';
 *   const i18n = useI18n();
 *   …
 *   <h1>{i18n.t('service.title')}</h1>
 *   <p>{i18n.t('status.summary', { count: problems.length })}</p>   (ICU: plural, select)
 *   <time datetime={at}>{i18n.moment(at)}</time> · {i18n.relative(at, data.loadedAt)}
 *
 * Messages live in ./messages/{en,es,fr}.ts (ICU MessageFormat, formatted by intl-messageformat);
 * a key added to en.ts must be added to es.ts and fr.ts too (the type checker and
 * portal/tests/i18nCatalogue.test.ts both insist). Times are written in the tenant's zone.
 * Server code (loads, actions) uses `createTranslator(locals.lang, locals.tenant.timeZone)`.
 */
export { useI18n, provideI18n } from './context';
export { createTranslator, useBrowserCatalogue, type Translator, type MessageValues, type MessageTable } from './translator';
export { chooseLanguage, acceptedLanguages, offeredLanguages, LANGUAGE_COOKIE } from './negotiate';
export type { MessageKey } from './messages';
