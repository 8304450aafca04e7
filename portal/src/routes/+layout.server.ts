import { error } from '@sveltejs/kit';
import { CATALOGUES } from '$lib/i18n/messages';
import { sessionFacts } from '$lib/server/accounts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ locals, depends }) => {
  // hooks.server.ts answers unknown hosts itself; this only guards against a route reached without it.
  if (!locals.tenant) error(404, 'This portal address is not recognised.');
  // A customer's linked accounts, for the account switcher on every page and for what the active
  // account's role may see. Asked once per full page load: client-side navigation keeps them.
  // The navigation bar's role and outages come with them; `portal:support-bar` asks again.
  depends('portal:support-bar');
  const { accounts, supportBar } = await sessionFacts(locals.session);
  // Whether the server holds a session: the browser loads its own login only then.
  // The page's language's messages travel with the page, so its JavaScript carries no catalogue.
  return {
    tenant: locals.tenant,
    lang: locals.lang,
    messages: CATALOGUES[locals.lang],
    signedIn: !!locals.session,
    accounts,
    accountRole: accounts.find((a) => a.active)?.role ?? null,
    supportBar,
  };
};
