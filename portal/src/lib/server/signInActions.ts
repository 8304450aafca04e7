import { fail, redirect, type Action, type RequestEvent } from '@sveltejs/kit';
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

/** Why {@link signInWithPassword} started no session, and the status the page answers with. */
export type SignInRefusal = { status: number; problem: SignInProblem; detail?: string };

/**
 * Signs the visitor in with email and password and starts their server session: the account's
 * lockout asked first, a wrong password reported (so repeated guesses pause the account, wherever
 * the form that sent them is), and the sign-in recorded. Null when the session started; whether
 * its login must still give an authenticator code is {@link secondFactorPending}'s to say.
 */
export async function signInWithPassword(event: Pick<RequestEvent, 'cookies' | 'url' | 'locals'>, email: string, password: string): Promise<SignInRefusal | null> {
  const { cookies, url, locals } = event;
  const tenant = locals.tenant!;
  const gateway = { url: serverConfig().gatewayUrl };
  const attempt = { input: { tenantSlug: tenant.tenantSlug, email } };

  const lock = await gatewayRequest<{ signInLockout: { locked: boolean } }>(`query ($input: SignInAttemptInput!) { signInLockout(input: $input) { locked } }`, attempt, gateway);
  if (lock.ok && lock.data.signInLockout.locked) return { status: 429, problem: 'paused' };

  const signedIn = await passwordSignIn(tenant.authTenantId, email, password);
  if (!signedIn.ok) {
    if (signedIn.reason === 'wrong') {
      const report = await gatewayRequest<{ reportSignInFailure: { locked: boolean } }>(`mutation ($input: SignInAttemptInput!) { reportSignInFailure(input: $input) { locked } }`, attempt, gateway);
      if (report.ok && report.data.reportSignInFailure.locked) return { status: 429, problem: 'paused' };
    }
    return { status: signedIn.reason === 'unavailable' ? 503 : 400, problem: signedIn.reason };
  }
  const started = await startSession(cookies, url, signedIn.idToken);
  if (!started.ok) return { status: started.status, problem: 'session', detail: started.message };
  const recorded = await sessionGraphql(readSession(cookies), 'mutation { recordSignIn }');
  if (!recorded.ok && recorded.code === 'RATE_LIMITED') {
    endSession(cookies);
    return { status: 429, problem: 'paused' };
  }
  return null;
}

/**
 * The sign-in page's form posts: email and password (lockout asked first, failures reported), the
 * authenticator code, and signing out. The code step is shown on the sign-in page.
 */
export function signInActions(): Record<'password' | 'code' | 'signOut', Action> {
  return {
    password: async (event) => {
      const form = await event.request.formData();
      const email = String(form.get('email') ?? '').trim();
      const password = String(form.get('password') ?? '');
      const next = safeNext(String(form.get('next') ?? ''), event.url);
      if (!email || !password) return problem(400, 'missing', { email });
      const refused = await signInWithPassword(event, email, password);
      if (refused) return problem(refused.status, refused.problem, { email, ...(refused.detail ? { detail: refused.detail } : {}) });
      if (await secondFactorPending(readSession(event.cookies))) redirect(303, signInPath(next));
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

