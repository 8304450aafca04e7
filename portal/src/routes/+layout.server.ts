import { error } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => {
  // hooks.server.ts answers unknown hosts itself; this only guards against a route reached without it.
  if (!locals.tenant) error(404, 'This portal address is not recognised.');
  return { tenant: locals.tenant, lang: locals.lang };
};
