import { fail, redirect, type Action } from '@sveltejs/kit';
import { safeReturnPath, signInPath } from '$lib/portal/returnTo';
import type { SignInProblem } from '$lib/portal/signInWords';
import { serverConfig } from './config';
import { gatewayRequest } from './gatewayRequest';
import { passwordSignIn } from './passwordSignIn';
import { endSession, readSession, rememberSecondFactor, sessionGraphql, startSession, type ServerSession } from './session';

/** Where to go after signing in: a path on this portal only (the start page's own rule), else the dashboard. */
export const safeNext = (value: string | null | undefined, url: URL) => safeReturnPath(value, url.origin) ?? '/';

/** Whether the session's login must still show its authenticator code in this browser. */
export async function secondFactorPending(session: ServerSession | null): Promise<boolean> {
  return (await sessionStep(session)) === 'code';
}

/**
 * Where a session stands: signed in; its login must still show its authenticator code; or over
 * (expired, revoked, signed out elsewhere), so the password is asked again. A gateway that cannot
 * answer counts as signed in: the page asked for then says it could not load.
 */
export async function sessionStep(session: ServerSession | null): Promise<'signedIn' | 'code' | 'over'> {
  if (!session) return 'over';
  const r = await sessionGraphql<{ viewer: { uid: string } | null }>(session, '{ viewer { uid } }');
  if (r.ok) return 'signedIn';
  if (r.code === 'FORBIDDEN' && r.why === 'SECOND_FACTOR_REQUIRED') return 'code';
  return r.reason === 'unauthenticated' ? 'over' : 'signedIn';
}

/** What a failed sign-in step answers: which problem (the page words it), and what was typed. */
const problem = (status: number, problem: SignInProblem, extra: Record<string, unknown> = {}) => fail(status, { problem, ...extra });

/**
 * The sign-in page's form posts: email and password (lockout asked first, failures reported), the
 * authenticator code, and signing out. The code step is shown on the sign-in page.
 */
export function signInActions(): Record<'password' | 'code' | 'signOut', Action> {
  return {
    password: async ({ request, cookies, url, locals }) => {
      const form = await request.formData();
      const email = String(form.get('email') ?? '').trim();
      const password = String(form.get('password') ?? '');
      const next = safeNext(String(form.get('next') ?? ''), url);
      if (!email || !password) return problem(400, 'missing', { email });
      const tenant = locals.tenant!;
      const gateway = { url: serverConfig().gatewayUrl };
      const attempt = { input: { tenantSlug: tenant.tenantSlug, email } };

      const lock = await gatewayRequest<{ signInLockout: { locked: boolean } }>(`query ($input: SignInAttemptInput!) { signInLockout(input: $input) { locked } }`, attempt, gateway);
      if (lock.ok && lock.data.signInLockout.locked) return problem(429, 'paused', { email });

      const signedIn = await passwordSignIn(tenant.authTenantId, email, password);
      if (!signedIn.ok) {
        if (signedIn.reason === 'wrong') {
          const report = await gatewayRequest<{ reportSignInFailure: { locked: boolean } }>(`mutation ($input: SignInAttemptInput!) { reportSignInFailure(input: $input) { locked } }`, attempt, gateway);
          if (report.ok && report.data.reportSignInFailure.locked) return problem(429, 'paused', { email });
        }
        return problem(signedIn.reason === 'unavailable' ? 503 : 400, signedIn.reason, { email });
      }
      const started = await startSession(cookies, url, signedIn.idToken);
      if (!started.ok) return problem(started.status, 'session', { email, detail: started.message });
      const session = readSession(cookies);
      const recorded = await sessionGraphql(session, 'mutation { recordSignIn }');
      if (!recorded.ok && recorded.code === 'RATE_LIMITED') {
        endSession(cookies);
        return problem(429, 'paused', { email });
      }
      if (await secondFactorPending(session)) redirect(303, signInPath(next));
      redirect(303, next);
    },

    code: async ({ request, cookies, url }) => {
      const form = await request.formData();
      const next = safeNext(String(form.get('next') ?? ''), url);
      const session = readSession(cookies);
      if (!session) redirect(303, signInPath(next));
      const code = String(form.get('code') ?? '').replace(/\s/g, '');
      const r = await sessionGraphql<{ verifySecondFactor: { token: string; expiresAt: string } }>(session, `mutation ($code: String!) { verifySecondFactor(code: $code) { token expiresAt } }`, { code });
      if (!r.ok) return problem(r.code === 'RATE_LIMITED' ? 429 : 400, r.code === 'RATE_LIMITED' ? 'throttled' : 'code', { step: 'code' });
      rememberSecondFactor(cookies, url, r.data.verifySecondFactor.token, r.data.verifySecondFactor.expiresAt);
      redirect(303, next);
    },

    signOut: async ({ cookies }) => {
      endSession(cookies);
      redirect(303, '/');
    },
  };
}

