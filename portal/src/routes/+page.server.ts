import { error, redirect } from '@sveltejs/kit';
import { safeReturnPath, signInPath } from '$lib/portal/returnTo';
import { dashboardOf, DASHBOARD_QUERY, type DashboardAnswer } from '$lib/server/dashboard';
import { createTranslator } from '$lib/i18n';
import { endSession, sessionGraphql } from '$lib/server/session';
import { staffDashboard } from '$lib/server/staffDashboard';
import { STAFF_ROLES } from '$lib/portal/gateway';
import type { PageServerLoad } from './$types';

/**
 * The start page: for customers their dashboard, for agents and administrators the staff
 * dashboard, in the first response. Visitors the server holds no session for, and logins that
 * must still give their authenticator code, are sent to the sign-in page (`/sign-in`, which needs
 * no SvelteKit client, so it is quick to use on a slow phone), with the page they asked for.
 */
export const load: PageServerLoad = async ({ locals, url, cookies, depends }) => {
  depends('portal:dashboard');
  // The page a signed-out visitor asked for (`?next=`), this portal's own paths only.
  const next = safeReturnPath(url.searchParams.get('next'), url.origin);
  const signIn: () => never = () => redirect(303, signInPath(next));
  if (!locals.session) signIn();

  const r = await sessionGraphql<DashboardAnswer>(locals.session, DASHBOARD_QUERY);
  if (!r.ok) {
    if (r.why === 'SECOND_FACTOR_REQUIRED') signIn();
    if (r.reason === 'unauthenticated') {
      // Expired, revoked or signed out elsewhere: forget it, or every page would bounce back here.
      endSession(cookies);
      signIn();
    }
    error(503, createTranslator(locals.lang, locals.tenant?.timeZone).t('dash.loadFailed'));
  }
  if (next) redirect(303, next);
  const viewer = r.data.viewer;
  if (viewer && !viewer.customer && STAFF_ROLES.includes(viewer.role)) {
    return { view: 'staff' as const, staff: await staffDashboard(locals.session, viewer), supportBar: { role: viewer.role, outages: [] } };
  }
  // Linked to no account here and no staff role (unlinked since it signed in): signing in again
  // says so, as it does for such a login from the start.
  if (!viewer?.customer) {
    endSession(cookies);
    signIn();
  }
  const dashboard = dashboardOf(r.data);
  // The support bar above shows the same outages, without asking again from the browser.
  return { view: 'dashboard' as const, dashboard, loadedAt: new Date().toISOString(), supportBar: { role: 'CUSTOMER', outages: dashboard.outages } };
};
