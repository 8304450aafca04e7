import { staffViewer } from '$lib/server/staffGate';
import type { LayoutServerLoad } from './$types';

/**
 * Every /staff page is for the tenant's agents and administrators: the server asks who the session
 * is before anything is rendered, so a signed-out visitor goes to sign in (and comes back) and a
 * customer gets "not available", with or without scripts.
 */
export const load: LayoutServerLoad = async ({ locals, url, untrack }) => {
  // Who is signed in does not change with the page's address: asked once, not on every filter.
  const here = untrack(() => new URL(url));
  const staff = await staffViewer(locals.session, here, locals.lang);
  // The support bar's links come with the page: no login library in the browser to find the role.
  return { staff, supportBar: { role: staff.role, outages: [] } };
};
