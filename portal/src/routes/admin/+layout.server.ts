import { adminViewer } from '$lib/server/staffGate';
import type { LayoutServerLoad } from './$types';

/**
 * Every /admin page is for the tenant's administrators only: the server asks who the session is
 * before anything is rendered, so a signed-out visitor goes to sign in (and comes back) and an agent
 * or a customer gets "not available", with or without scripts.
 */
export const load: LayoutServerLoad = async ({ locals, url, untrack }) => {
  const here = untrack(() => new URL(url));
  const staff = await adminViewer(locals.session, here, locals.lang);
  return { staff, supportBar: { role: staff.role, outages: [] } };
};
