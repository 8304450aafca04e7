import { publicConfig } from '$lib/config';
import { serverConfig } from './config';

/** The outcome of a password sign-in done by the portal's server (for browsers without JavaScript). */
export type PasswordSignIn = { ok: true; idToken: string } | { ok: false; reason: 'wrong' | 'disabled' | 'throttled' | 'unavailable' };

const WRONG = new Set(['INVALID_PASSWORD', 'EMAIL_NOT_FOUND', 'INVALID_LOGIN_CREDENTIALS', 'INVALID_EMAIL', 'MISSING_PASSWORD']);

/** An Identity Toolkit answer: its status and body, the error's code word (`INVALID_OOB_CODE`), or null when it could not be reached. */
type ToolkitAnswer = { status: number; body: Record<string, unknown> | null; error: string } | null;

/**
 * Calls one Identity Toolkit method (`accounts:signInWithPassword`, `accounts:resetPassword`) in
 * the WISP's own Firebase Auth tenant: the endpoint the browser SDK calls, the Auth emulator's in
 * development.
 */
async function identityToolkit(method: string, authTenantId: string | null, request: Record<string, unknown>): Promise<ToolkitAnswer> {
  const emulator = serverConfig().firebaseAuthEmulatorUrl;
  const base = emulator ? `${emulator.replace(/\/$/, '')}/identitytoolkit.googleapis.com` : 'https://identitytoolkit.googleapis.com';
  let res: Response;
  try {
    res = await fetch(`${base}/v1/${method}?key=${encodeURIComponent(publicConfig().firebaseApiKey)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...request, ...(authTenantId ? { tenantId: authTenantId } : {}) }),
      signal: AbortSignal.timeout(8000),
    });
  } catch {
    return null;
  }
  const body = (await res.json().catch(() => null)) as (Record<string, unknown> & { error?: { message?: string } }) | null;
  return { status: res.status, body, error: res.ok ? '' : (String(body?.error?.message ?? '').split(' ')[0] ?? '') };
}

/** Signs in to the WISP's own Firebase Auth tenant with email and password. */
export async function passwordSignIn(authTenantId: string | null, email: string, password: string): Promise<PasswordSignIn> {
  const answer = await identityToolkit('accounts:signInWithPassword', authTenantId, { email, password, returnSecureToken: true });
  if (!answer) return { ok: false, reason: 'unavailable' };
  const idToken = answer.body?.idToken;
  if (answer.status < 300 && typeof idToken === 'string') return { ok: true, idToken };
  if (WRONG.has(answer.error)) return { ok: false, reason: 'wrong' };
  if (answer.error === 'USER_DISABLED') return { ok: false, reason: 'disabled' };
  if (answer.error.startsWith('TOO_MANY_ATTEMPTS')) return { ok: false, reason: 'throttled' };
  return { ok: false, reason: answer.status >= 500 ? 'unavailable' : 'wrong' };
}

/** Why a password link cannot be used. */
export type ResetProblem = 'expired' | 'weak' | 'disabled' | 'unavailable';

const resetProblem = (answer: ToolkitAnswer): ResetProblem =>
  !answer || answer.status >= 500 ? 'unavailable' : answer.error === 'WEAK_PASSWORD' ? 'weak' : answer.error === 'USER_DISABLED' ? 'disabled' : 'expired';

/**
 * The login a password link (its `oobCode`) is for, without using it up: only a password-reset
 * link of this WISP's login pool counts, so a link from another WISP's portal opens nothing here.
 */
export async function passwordLinkEmail(authTenantId: string | null, oobCode: string): Promise<{ ok: true; email: string } | { ok: false; problem: ResetProblem }> {
  const answer = await identityToolkit('accounts:resetPassword', authTenantId, { oobCode });
  const email = answer?.body?.email;
  if (answer && answer.status < 300 && answer.body?.requestType === 'PASSWORD_RESET' && typeof email === 'string') return { ok: true, email };
  return { ok: false, problem: resetProblem(answer) };
}

/** Sets the password a link is for; the link is used up. */
export async function usePasswordLink(authTenantId: string | null, oobCode: string, newPassword: string): Promise<{ ok: true; email: string } | { ok: false; problem: ResetProblem }> {
  const answer = await identityToolkit('accounts:resetPassword', authTenantId, { oobCode, newPassword });
  const email = answer?.body?.email;
  if (answer && answer.status < 300 && typeof email === 'string') return { ok: true, email };
  return { ok: false, problem: resetProblem(answer) };
}
