import { getContext, setContext } from 'svelte';
import type { Translator } from './translator';

const KEY = Symbol('i18n');

/**
 * Called once by the root layout with a getter for the page's translator. Svelte context belongs
 * to one component tree, i.e. to one request while rendering on the server, so this is safe with
 * any number of requests rendering at once (a module-level "current language" would not be).
 */
export function provideI18n(current: () => Translator): void {
  setContext(KEY, current);
}

/**
 * The page's translator, for a component's script: `const i18n = useI18n();` then
 * `{i18n.t('nav.status')}` or `{i18n.moment(ticket.createdAt)}` in markup. The methods read the
 * current language each call, so a change of language re-renders what used them.
 */
export function useI18n(): Translator {
  const current = getContext<(() => Translator) | undefined>(KEY);
  if (!current) throw new Error('useI18n() needs the root layout (it provides the translator).');
  return {
    get lang() {
      return current().lang;
    },
    get timeZone() {
      return current().timeZone;
    },
    t: (key, values) => current().t(key, values),
    around: (key, slot, values) => current().around(key, slot, values),
    label: (group, value) => current().label(group, value),
    moment: (iso, options) => current().moment(iso, options),
    relative: (iso, now) => current().relative(iso, now),
    number: (n, options) => current().number(n, options),
  };
}
