import { error } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => {
  // hooks.server.ts answers unknown hosts itself; this only guards against a route reached without it.
  if (!locals.tenant) error(404, 'This portal address is not recognised.');
  // Whether the server holds a session: the browser loads its own login only then.
  return { tenant: locals.tenant, lang: locals.lang, signedIn: !!locals.session };
};
