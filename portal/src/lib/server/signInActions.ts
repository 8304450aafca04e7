import { fail, redirect, type Action } from '@sveltejs/kit';
import { safeReturnPath } from '$lib/portal/returnTo';
import type { SignInProblem } from '$lib/portal/signInWords';
import { serverConfig } from './config';
import { gatewayRequest } from './gatewayRequest';
import { passwordSignIn } from './passwordSignIn';
import { endSession, readSession, rememberSecondFactor, sessionGraphql, startSession, type ServerSession } from './session';

/** Where to go after signing in: a path on this portal only (the start page's own rule), else the dashboard. */
export const safeNext = (value: string | null | undefined, url: URL) => safeReturnPath(value, url.origin) ?? '/';

/** Whether the session's login must still show its authenticator code in this browser. */
export async function secondFactorPending(session: ServerSession | null): Promise<boolean> {
  const r = await sessionGraphql<{ viewer: { uid: string } | null }>(session, '{ viewer { uid } }');
  return !r.ok && r.code === 'FORBIDDEN' && r.why === 'SECOND_FACTOR_REQUIRED';
}

/** What a failed sign-in step answers: which problem (the page words it), and what was typed. */
const problem = (status: number, problem: SignInProblem, extra: Record<string, unknown> = {}) => fail(status, { problem, ...extra });

/**
 * The sign-in form posts, shared by the start page and `/sign-in`: email and password (lockout
 * asked first, failures reported), the authenticator code, and signing out. `page` is the path of
 * the page the forms are on, where the code step is shown.
 */
export function signInActions(page: '/' | '/sign-in'): Record<'password' | 'code' | 'signOut', Action> {
  const codeStep = (next: string) => (next === '/' ? page : `${page}?next=${encodeURIComponent(next)}`);
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
      if (await secondFactorPending(session)) redirect(303, codeStep(next));
      redirect(303, next);
    },

    code: async ({ request, cookies, url }) => {
      const form = await request.formData();
      const next = safeNext(String(form.get('next') ?? ''), url);
      const session = readSession(cookies);
      if (!session) redirect(303, codeStep(next));
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

