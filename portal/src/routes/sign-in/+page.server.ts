import { redirect } from '@sveltejs/kit';
import { endSession, sessionGraphql } from '$lib/server/session';
import { safeNext, sessionStep, signInActions } from '$lib/server/signInActions';
import type { Actions, PageServerLoad } from './$types';

/**
 * No SvelteKit client on this page: it is where every signed-out visitor lands (the start page
 * sends them here), so it must be quick on a slow phone. Its forms post to the server and work
 * without scripts; its own small script (`$lib/portal/signInPage.ts`) only checks for empty fields
 * and shows the post under way.
 */
export const csr = false;

/** Why the visitor was sent here, told above the form: only these, never text from the address. */
const NOTICES = { 'password-changed': 'settings.passwordChangedSignIn', 'signed-out-everywhere': 'settings.signedOutEverywhere', 'login-created': 'signIn.loginCreated' } as const;

export const load: PageServerLoad = async ({ locals, url, cookies }) => {
  const next = safeNext(url.searchParams.get('next'), url);
  const noticeKey = NOTICES[url.searchParams.get('notice') as keyof typeof NOTICES] ?? null;
  const step = await sessionStep(locals.session);
  if (step === 'signedIn') redirect(303, next);
  if (step === 'code') {
    // Staff who must use an authenticator app but have none yet set one up first.
    const security = await sessionGraphql<{ accountSecurity: { totpEnabled: boolean } }>(locals.session, '{ accountSecurity { totpEnabled } }');
    return { step: 'code' as const, next, enrolled: security.ok ? security.data.accountSecurity.totpEnabled : true, notice: null };
  }
  // Expired, revoked or signed out elsewhere: forget it, or every page would send the visitor back here.
  if (locals.session) endSession(cookies);
  return { step: 'password' as const, next, enrolled: true, notice: noticeKey };
};

/** Email and password, the authenticator code, and signing out: plain form posts. */
export const actions: Actions = signInActions();
