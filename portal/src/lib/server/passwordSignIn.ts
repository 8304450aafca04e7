import { publicConfig } from '$lib/config';
import { serverConfig } from './config';

/** The outcome of a password sign-in done by the portal's server (for browsers without JavaScript). */
export type PasswordSignIn = { ok: true; idToken: string } | { ok: false; reason: 'wrong' | 'disabled' | 'throttled' | 'unavailable' };

const WRONG = new Set(['INVALID_PASSWORD', 'EMAIL_NOT_FOUND', 'INVALID_LOGIN_CREDENTIALS', 'INVALID_EMAIL', 'MISSING_PASSWORD']);

/**
 * Signs in to the WISP's own Firebase Auth tenant with email and password, through the same
 * Identity Toolkit endpoint the browser SDK calls (the Auth emulator's in development).
 */
export async function passwordSignIn(authTenantId: string | null, email: string, password: string): Promise<PasswordSignIn> {
  const config = publicConfig();
  const emulator = serverConfig().firebaseAuthEmulatorUrl;
  const base = emulator ? `${emulator.replace(/\/$/, '')}/identitytoolkit.googleapis.com` : 'https://identitytoolkit.googleapis.com';
  let res: Response;
  try {
    res = await fetch(`${base}/v1/accounts:signInWithPassword?key=${encodeURIComponent(config.firebaseApiKey)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password, returnSecureToken: true, ...(authTenantId ? { tenantId: authTenantId } : {}) }),
      signal: AbortSignal.timeout(8000),
    });
  } catch {
    return { ok: false, reason: 'unavailable' };
  }
  const body = (await res.json().catch(() => null)) as { idToken?: string; error?: { message?: string } } | null;
  if (res.ok && body?.idToken) return { ok: true, idToken: body.idToken };
  const message = String(body?.error?.message ?? '').split(' ')[0] ?? '';
  if (WRONG.has(message)) return { ok: false, reason: 'wrong' };
  if (message === 'USER_DISABLED') return { ok: false, reason: 'disabled' };
  if (message.startsWith('TOO_MANY_ATTEMPTS')) return { ok: false, reason: 'throttled' };
  return { ok: false, reason: res.status >= 500 ? 'unavailable' : 'wrong' };
}
