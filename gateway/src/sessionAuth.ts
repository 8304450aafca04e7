import { firebaseAuth, identityFromToken, type Identity } from '@wisp/shared';
import type { Auth } from 'firebase-admin/auth';
import { tenantOf } from './auth.ts';

/** Why a long-lived connection's token is no longer good. */
export type SessionFailure = 'invalid' | 'expired' | 'revoked' | 'unavailable';

export type SessionCheck = { ok: true; identity: Identity; expires: number } | { ok: false; reason: SessionFailure; message: string };

/** Options for {@link createSessionVerifier}. */
export interface SessionVerifierOptions {
  projectId: string;
  /** How long one revocation check of a token is reused. @default 30 000 ms */
  reuseMs?: number;
}

/**
 * Checks the Firebase ID token of a live-updates connection: at connect time and again
 * periodically while it stays open. Unlike a request, a connection outlives the moment its token
 * was checked, so the answer says whether the token expired or the login was revoked/disabled;
 * each becomes its own close code.
 */
export function createSessionVerifier(options: SessionVerifierOptions) {
  const auth: Auth = firebaseAuth(options.projectId);
  const reuse = options.reuseMs ?? 30_000;
  const recent = new Map<string, { at: number; check: Promise<SessionCheck> }>();

  async function check(token: string): Promise<SessionCheck> {
    const tenant = tenantOf(token);
    const verifier = tenant ? auth.tenantManager().authForTenant(tenant) : auth;
    try {
      const decoded = await verifier.verifyIdToken(token, true);
      const result = identityFromToken(decoded);
      if (!result.ok) return { ok: false, reason: 'invalid', message: result.reason };
      return { ok: true, identity: result.identity, expires: decoded.exp * 1000 };
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (code === 'auth/id-token-expired') return { ok: false, reason: 'expired', message: 'Your session has expired; sign in again.' };
      if (code === 'auth/id-token-revoked' || code === 'auth/user-disabled') return { ok: false, reason: 'revoked', message: 'This login has been disabled.' };
      // Anything but an auth/ verdict means Firebase could not be asked: not the user's fault.
      if (!code.startsWith('auth/')) return { ok: false, reason: 'unavailable', message: 'Sign-in could not be checked; try again.' };
      return { ok: false, reason: 'invalid', message: 'The sign-in token is not valid.' };
    }
  }

  return function verifySession(token: string): Promise<SessionCheck> {
    const now = Date.now();
    const hit = recent.get(token);
    if (hit && now - hit.at < reuse) return hit.check;
    if (recent.size >= 10_000) recent.delete(recent.keys().next().value!);
    const fresh = check(token);
    recent.set(token, { at: now, check: fresh });
    void fresh.then((r) => {
      if (!r.ok && r.reason === 'unavailable') recent.delete(token);
    });
    return fresh;
  };
}
export type SessionVerifier = ReturnType<typeof createSessionVerifier>;
