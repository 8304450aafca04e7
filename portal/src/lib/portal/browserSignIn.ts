/**
 * Signing in inside the browser, loaded only when a visitor submits the sign-in page's form: the
 * browser keeps its own login (for the pages rendered in the browser) and hands the portal's
 * server a session, so the server-rendered pages show the account too. The page hands over the
 * portal's public settings itself, as it has no SvelteKit client to carry them.
 */
import type { User } from 'firebase/auth';
import type { PublicConfig } from '$lib/config';
import { syncServerSession } from '$lib/serverSession';
import { signInToTenant, signOut, tenantAuth } from '$lib/tenantAuth';
import { GatewayError, gatewayCall, recordSignInAt } from './gatewayCall';
import { forgetSecondFactor, rememberSecondFactor } from './secondFactor';
import { signInErrorProblem, type SignInProblem } from './signInWords';

/** Signed in, or why not: a problem the page tells in its reader's language (`signInProblemWords`). */
export type BrowserSignIn = { ok: true } | { ok: false; problem: SignInProblem };

/** The tenant a sign-in is for. */
export interface SignInTenant {
  tenantSlug: string;
  authTenantId: string | null;
}

const paused = () => Object.assign(new Error('sign-in paused'), { code: 'portal/sign-in-paused' });
const WRONG_PASSWORD = new Set(['auth/invalid-credential', 'auth/invalid-login-credentials', 'auth/wrong-password', 'auth/user-not-found']);

/** Email and password, with the same lockout rules as the server's form: asked first, failures reported. */
export async function signInInBrowser(config: PublicConfig, tenant: SignInTenant, email: string, password: string): Promise<BrowserSignIn> {
  const auth = tenantAuth(config, tenant.authTenantId);
  const attempt = { input: { tenantSlug: tenant.tenantSlug, email } };
  try {
    const lock = await gatewayCall<{ signInLockout: { locked: boolean } }>(config.gatewayUrl, `query Lockout($input: SignInAttemptInput!) { signInLockout(input: $input) { locked } }`, attempt).catch(() => null);
    if (lock?.signInLockout.locked) throw paused();
    let user: User;
    try {
      user = await signInToTenant(auth, tenant.authTenantId, email, password);
    } catch (err) {
      if (WRONG_PASSWORD.has(String((err as { code?: string }).code))) {
        const report = await gatewayCall<{ reportSignInFailure: { locked: boolean } }>(
          config.gatewayUrl,
          `mutation Failed($input: SignInAttemptInput!) { reportSignInFailure(input: $input) { locked } }`,
          attempt,
        ).catch(() => null);
        if (report?.reportSignInFailure.locked) throw paused();
      }
      throw err;
    }
    if ((await recordSignInAt(config.gatewayUrl, user)) === 'locked') {
      await signOut(auth);
      throw paused();
    }
    const synced = await syncServerSession(user);
    if (synced !== 'ok') {
      await signOut(auth);
      return { ok: false, problem: 'incomplete' };
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, problem: signInErrorProblem(error) };
  }
}

/**
 * The authenticator code, checked for the browser's own login so its tab keeps the second factor
 * (as the browser-rendered pages need), then handed to the server. Null when this browser holds no
 * login of the tenant (signed in without scripts): the plain form post does it instead.
 */
export async function passSecondFactorInBrowser(config: PublicConfig, tenant: SignInTenant, code: string): Promise<BrowserSignIn | null> {
  const auth = tenantAuth(config, tenant.authTenantId);
  await auth.authStateReady();
  const user = auth.currentUser;
  if (!user || (user.tenantId ?? null) !== tenant.authTenantId) return null;
  try {
    const r = await gatewayCall<{ verifySecondFactor: { token: string; expiresAt: string } }>(
      config.gatewayUrl,
      `mutation Verify($code: String!) { verifySecondFactor(code: $code) { token expiresAt } }`,
      { code: code.replace(/\s/g, '') },
      user,
    );
    await rememberSecondFactor(r.verifySecondFactor);
    return { ok: true };
  } catch (err) {
    return { ok: false, problem: !(err instanceof GatewayError) ? 'failed' : err.code === 'BAD_USER_INPUT' ? 'code' : err.code === 'RATE_LIMITED' ? 'throttled' : 'failed' };
  }
}

/** Ends the browser's own login beside the server's session. */
export async function signOutInBrowser(config: PublicConfig, tenant: SignInTenant): Promise<void> {
  forgetSecondFactor();
  const auth = tenantAuth(config, tenant.authTenantId);
  await auth.authStateReady();
  if (auth.currentUser) await signOut(auth);
  await syncServerSession(null);
}
