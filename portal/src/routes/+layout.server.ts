import { error } from '@sveltejs/kit';
import { CATALOGUES } from '$lib/i18n/messages';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => {
  // hooks.server.ts answers unknown hosts itself; this only guards against a route reached without it.
  if (!locals.tenant) error(404, 'This portal address is not recognised.');
  // Whether the server holds a session: the browser loads its own login only then.
  // The page's language's messages travel with the page, so its JavaScript carries no catalogue.
  return { tenant: locals.tenant, lang: locals.lang, messages: CATALOGUES[locals.lang], signedIn: !!locals.session };
};
