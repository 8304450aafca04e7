import { error, redirect } from '@sveltejs/kit';
import { safeReturnPath } from '$lib/portal/returnTo';
import { dashboardOf, DASHBOARD_QUERY, type DashboardAnswer } from '$lib/server/dashboard';
import { createTranslator } from '$lib/i18n';
import { endSession, sessionGraphql } from '$lib/server/session';
import { staffDashboard } from '$lib/server/staffDashboard';
import { STAFF_ROLES } from '$lib/portal/gateway';
import { signInActions } from '$lib/server/signInActions';
import type { Actions, PageServerLoad } from './$types';

/**
 * The start page: the sign-in form for visitors the server holds no session for (it works without
 * scripts), the code step for logins with an authenticator app, and for customers their
 * dashboard, and for agents and administrators the staff dashboard, all in the first response.
 */
export const load: PageServerLoad = async ({ locals, url, cookies, depends }) => {
  depends('portal:dashboard');
  // The page a signed-out visitor asked for (`?next=`), this portal's own paths only.
  const next = safeReturnPath(url.searchParams.get('next'), url.origin);
  const signIn = (step: 'password' | 'code') => ({ view: 'signIn' as const, step, next: next ?? '/' });
  if (!locals.session) return signIn('password');

  const r = await sessionGraphql<DashboardAnswer>(locals.session, DASHBOARD_QUERY);
  if (!r.ok) {
    if (r.why === 'SECOND_FACTOR_REQUIRED') {
      // Staff who must use an authenticator app but have none yet set one up first.
      const security = await sessionGraphql<{ accountSecurity: { totpEnabled: boolean } }>(locals.session, '{ accountSecurity { totpEnabled } }');
      return { ...signIn('code'), enrolled: security.ok ? security.data.accountSecurity.totpEnabled : true };
    }
    if (r.reason === 'unauthenticated') {
      // Expired, revoked or signed out elsewhere: forget it, or every page would bounce back here.
      endSession(cookies);
      return signIn('password');
    }
    error(503, createTranslator(locals.lang, locals.tenant?.timeZone).t('dash.loadFailed'));
  }
  if (next) redirect(303, next);
  const viewer = r.data.viewer;
  if (viewer && !viewer.customer && STAFF_ROLES.includes(viewer.role)) {
    return { view: 'staff' as const, staff: await staffDashboard(locals.session, viewer), supportBar: { role: viewer.role, outages: [] } };
  }
  if (!viewer?.customer) return { view: 'browser' as const };
  const dashboard = dashboardOf(r.data);
  // The support bar above shows the same outages, without asking again from the browser.
  return { view: 'dashboard' as const, dashboard, loadedAt: new Date().toISOString(), supportBar: { role: 'CUSTOMER', outages: dashboard.outages } };
};

export const actions: Actions = signInActions('/');
