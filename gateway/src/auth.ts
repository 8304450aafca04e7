import { firebaseAuth, identityFromToken, unauthenticated, type Identity } from '@wisp/shared';
import type { Auth } from 'firebase-admin/auth';

/** Options for {@link createAuthenticator}. */
export interface AuthOptions {
  /** Firebase project whose ID tokens are accepted. */
  projectId: string;
  /** How long a verified token is trusted before it is checked for revocation again. @default 30 000 ms */
  recheckAfterMs?: number;
  /** Most verified tokens kept in memory. @default 10 000 */
  cacheSize?: number;
}

export function tenantOf(token: string): string | undefined {
  // Only routes verification to the right Firebase tenant; the verification below checks everything.
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { firebase?: { tenant?: unknown } };
    return typeof payload.firebase?.tenant === 'string' ? payload.firebase.tenant : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Turns an `Authorization: Bearer <Firebase ID token>` header into an identity. No header means an
 * anonymous caller (null); a bad, expired, revoked or disabled login is UNAUTHENTICATED.
 * Identity comes only from the token's server-set claims.
 */
export function createAuthenticator(options: AuthOptions) {
  const auth: Auth = firebaseAuth(options.projectId);
  const recheck = options.recheckAfterMs ?? 30_000;
  const max = options.cacheSize ?? 10_000;
  const cache = new Map<string, { identity: Identity; until: number; expires: number }>();

  async function verify(token: string): Promise<{ identity: Identity; expires: number }> {
    const tenant = tenantOf(token);
    const verifier = tenant ? auth.tenantManager().authForTenant(tenant) : auth;
    let decoded;
    try {
      decoded = await verifier.verifyIdToken(token, true);
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (code === 'auth/id-token-expired') throw unauthenticated('Your session has expired; sign in again.');
      if (code === 'auth/id-token-revoked' || code === 'auth/user-disabled') throw unauthenticated('This login has been disabled.');
      throw unauthenticated('The sign-in token is not valid.');
    }
    const result = identityFromToken(decoded);
    if (!result.ok) throw unauthenticated(result.reason);
    return { identity: result.identity, expires: decoded.exp * 1000 };
  }

  return async function authenticate(authorization: string | undefined): Promise<Identity | null> {
    if (!authorization) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>".');
    const token = match[1]!;
    const now = Date.now();
    const hit = cache.get(token);
    if (hit && hit.until > now && hit.expires > now) return hit.identity;
    const { identity, expires } = await verify(token);
    if (cache.size >= max) cache.delete(cache.keys().next().value!);
    cache.set(token, { identity, until: now + recheck, expires });
    return identity;
  };
}
export type Authenticator = ReturnType<typeof createAuthenticator>;
