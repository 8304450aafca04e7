import { fail, redirect } from '@sveltejs/kit';
import { serverConfig } from '$lib/server/config';
import { gatewayRequest } from '$lib/server/gatewayRequest';
import { passwordSignIn } from '$lib/server/passwordSignIn';
import { safeReturnPath } from '$lib/portal/returnTo';
import { endSession, readSession, rememberSecondFactor, sessionGraphql, startSession } from '$lib/server/session';
import { createTranslator } from '$lib/i18n';
import type { Actions, PageServerLoad } from './$types';

/** Where to go after signing in: a path on this portal only (the start page's own rule), else the dashboard. */
const safeNext = (value: string | null, url: URL) => safeReturnPath(value, url.origin) ?? '/';

/** The sign-in form's messages in the request's language. */
const messagesFor = (locals: App.Locals) => {
  const { t } = createTranslator(locals.lang);
  return {
    missing: t('signIn.error.missing'),
    wrong: t('signIn.error.wrong'),
    disabled: t('signIn.error.disabled'),
    throttled: t('signIn.error.throttled'),
    paused: t('signIn.error.paused'),
    unavailable: t('signIn.error.unavailable'),
    code: t('signIn.error.code'),
  };
};

/** Whether the session's login must still show its authenticator code in this browser. */
async function secondFactorPending(session: ReturnType<typeof readSession>): Promise<boolean> {
  const r = await sessionGraphql<{ viewer: { uid: string } | null }>(session, '{ viewer { uid } }');
  return !r.ok && r.code === 'FORBIDDEN' && r.why === 'SECOND_FACTOR_REQUIRED';
}

export const load: PageServerLoad = async ({ locals, url }) => {
  const next = safeNext(url.searchParams.get('next'), url);
  if (locals.session) {
    if (await secondFactorPending(locals.session)) return { step: 'code' as const, next };
    redirect(303, next);
  }
  return { step: 'password' as const, next };
};

export const actions: Actions = {
  /** Email and password, for browsers without JavaScript (the page's script signs in itself). */
  password: async ({ request, cookies, url, locals }) => {
    const MESSAGES = messagesFor(locals);
    const form = await request.formData();
    const email = String(form.get('email') ?? '').trim();
    const password = String(form.get('password') ?? '');
    const next = safeNext(String(form.get('next') ?? ''), url);
    if (!email || !password) return fail(400, { email, message: MESSAGES.missing });
    const tenant = locals.tenant!;
    const gateway = { url: serverConfig().gatewayUrl };
    const attempt = { input: { tenantSlug: tenant.tenantSlug, email } };

    const lock = await gatewayRequest<{ signInLockout: { locked: boolean } }>(`query ($input: SignInAttemptInput!) { signInLockout(input: $input) { locked } }`, attempt, gateway);
    if (lock.ok && lock.data.signInLockout.locked) return fail(429, { email, message: MESSAGES.paused });

    const signedIn = await passwordSignIn(tenant.authTenantId, email, password);
    if (!signedIn.ok) {
      if (signedIn.reason === 'wrong') {
        const report = await gatewayRequest<{ reportSignInFailure: { locked: boolean } }>(`mutation ($input: SignInAttemptInput!) { reportSignInFailure(input: $input) { locked } }`, attempt, gateway);
        if (report.ok && report.data.reportSignInFailure.locked) return fail(429, { email, message: MESSAGES.paused });
      }
      return fail(signedIn.reason === 'unavailable' ? 503 : 400, { email, message: MESSAGES[signedIn.reason] });
    }
    const started = await startSession(cookies, url, signedIn.idToken);
    if (!started.ok) return fail(started.status, { email, message: started.message });
    const session = readSession(cookies);
    const recorded = await sessionGraphql(session, 'mutation { recordSignIn }');
    if (!recorded.ok && recorded.code === 'RATE_LIMITED') {
      endSession(cookies);
      return fail(429, { email, message: MESSAGES.paused });
    }
    if (await secondFactorPending(session)) redirect(303, `/sign-in?next=${encodeURIComponent(next)}`);
    redirect(303, next);
  },

  /** The authenticator app's code, when the login has one. */
  code: async ({ request, cookies, url, locals }) => {
    const MESSAGES = messagesFor(locals);
    const form = await request.formData();
    const next = safeNext(String(form.get('next') ?? ''), url);
    const session = readSession(cookies);
    if (!session) redirect(303, `/sign-in?next=${encodeURIComponent(next)}`);
    const code = String(form.get('code') ?? '').replace(/\s/g, '');
    const r = await sessionGraphql<{ verifySecondFactor: { token: string; expiresAt: string } }>(session, `mutation ($code: String!) { verifySecondFactor(code: $code) { token expiresAt } }`, { code });
    if (!r.ok) return fail(r.code === 'RATE_LIMITED' ? 429 : 400, { step: 'code', message: r.code === 'RATE_LIMITED' ? MESSAGES.throttled : MESSAGES.code });
    rememberSecondFactor(cookies, url, r.data.verifySecondFactor.token, r.data.verifySecondFactor.expiresAt);
    redirect(303, next);
  },

  /** Signing out without JavaScript: ends the server's session. */
  signOut: async ({ cookies }) => {
    endSession(cookies);
    redirect(303, '/');
  },
};
