import { codedError, ErrorCode, firebaseAuth, identityFromClaims, looksLikeApiKey, Role, unauthenticated, type Identity, type LinkedAccount } from '@wisp/shared';
import { withAccounts } from './accounts.ts';
import type { Auth, DecodedIdToken, UserRecord } from 'firebase-admin/auth';

/** An ID token (or API key) presented as a bearer token, or a session cookie the gateway issued. */
export type CredentialKind = 'bearer' | 'session';

/** Why a token is not (or no longer) good. */
export type TokenFailure = 'invalid' | 'expired' | 'revoked' | 'unavailable';

export type TokenCheck = { ok: true; identity: Identity; expires: number } | { ok: false; reason: TokenFailure; message: string };

/** Options for {@link createTokenVerifier}. */
export interface TokenVerifierOptions {
  /** Firebase project whose ID tokens are accepted. */
  projectId: string;
  /**
   * The Firebase Auth tenant that holds a WISP's logins (null for an unknown WISP). A login is only
   * accepted when its token comes from the auth tenant of the WISP its claims name.
   */
  authTenantOf: (tenantId: string) => Promise<string | null>;
  /** How long one answer for a token is reused before the user record is asked again. @default 30 000 ms */
  reuseMs?: number;
  /** Most tokens remembered. @default 10 000 */
  cacheSize?: number;
  /** The firebase-admin Auth to ask. @default the one of `projectId` */
  auth?: Auth;
  /**
   * Asks the tenant subgraph, which keeps integrators' API keys, whose key this is: its tenant and
   * scopes, null for a key that is not good, or throws when it cannot be asked.
   */
  verifyApiKey?: (key: string, address: string | null) => Promise<ApiKeyAnswer | null>;
  /**
   * Asks the customer subgraph which accounts a customer login may act for (see accounts.ts); the
   * answer is kept with the token's. Without it, a customer acts for the account its claims name.
   */
  accountsOf?: (identity: Identity) => Promise<LinkedAccount[]>;
}

/** What the tenant subgraph says of a good API key. */
export interface ApiKeyAnswer {
  tenantId: string;
  keyId: string;
  scopes: string[];
  expiresAt: string | null;
}

/** A key without an end is re-checked as if it lasted this long (live connections re-check anyway). */
const KEY_SESSION_MS = 3600_000;

/** Reads the token's Firebase tenant, only to ask the right tenant for the user record; nothing else is read from the body. */
export function tenantOf(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { firebase?: { tenant?: unknown } };
    return typeof payload.firebase?.tenant === 'string' ? payload.firebase.tenant : undefined;
  } catch {
    return undefined;
  }
}

// firebase-admin's codes for "could not reach Firebase" (as opposed to a verdict about the token).
const UNREACHABLE = new Set(['app/network-error', 'app/network-timeout', 'auth/network-request-failed']);

const UNAVAILABLE_MESSAGE = 'Sign-in could not be checked right now; try again in a moment.';

function failure(err: unknown): TokenCheck {
  const code = (err as { code?: string }).code ?? '';
  if (code === 'auth/id-token-expired' || code === 'auth/session-cookie-expired') return { ok: false, reason: 'expired', message: 'Your session has expired; sign in again.' };
  if (code === 'auth/user-disabled' || code === 'auth/id-token-revoked' || code === 'auth/session-cookie-revoked') return { ok: false, reason: 'revoked', message: 'This login has been disabled.' };
  if (UNREACHABLE.has(code) || /ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|fetch failed/.test(String((err as Error).message ?? ''))) {
    return { ok: false, reason: 'unavailable', message: UNAVAILABLE_MESSAGE };
  }
  return { ok: false, reason: 'invalid', message: 'The sign-in token is not valid.' };
}

/**
 * Checks a Firebase ID token and builds the caller's identity from the user record, never from the
 * token's body: with the Auth emulator tokens carry no signature, so a body can say anything. The
 * user record lookup is the one a revocation check needs anyway, so the cost stays one lookup per
 * token per `reuseMs`, and concurrent requests with one token share it.
 */
export function createTokenVerifier(options: TokenVerifierOptions) {
  const auth: Auth = options.auth ?? firebaseAuth(options.projectId);
  const reuse = options.reuseMs ?? 30_000;
  const max = options.cacheSize ?? 10_000;
  const recent = new Map<string, { at: number; check: Promise<TokenCheck>; customerOf?: string }>();

  async function check(token: string, kind: CredentialKind): Promise<TokenCheck> {
    const tenant = tenantOf(token);
    let decoded: DecodedIdToken;
    let user: UserRecord;
    try {
      const verifier = tenant ? auth.tenantManager().authForTenant(tenant) : auth;
      decoded = kind === 'session' ? await verifier.verifySessionCookie(token) : await verifier.verifyIdToken(token);
      user = await verifier.getUser(decoded.uid);
    } catch (err) {
      return failure(err);
    }
    const firebaseTenant = decoded.firebase.tenant ?? null;
    if (firebaseTenant !== (tenant ?? null)) return failure(null);
    if (user.disabled) return failure({ code: 'auth/user-disabled' });
    // The same rule as firebase-admin's revocation check, on the record fetched here.
    if (user.tokensValidAfterTime && decoded.auth_time * 1000 < new Date(user.tokensValidAfterTime).getTime()) return failure({ code: 'auth/id-token-revoked' });
    const result = identityFromClaims(user.uid, user.customClaims, firebaseTenant);
    if (!result.ok) return { ok: false, reason: 'invalid', message: result.reason };
    // A token whose body names other portal claims than the record was edited (or predates a
    // change of role): refused, so the caller signs in again rather than acting on a stale view.
    const body = decoded as DecodedIdToken & Record<string, unknown>;
    for (const key of ['role', 'tenantId', 'customerId'] as const) {
      if (body[key] !== undefined && body[key] !== user.customClaims?.[key]) return { ok: false, reason: 'invalid', message: 'The sign-in token is not valid; sign in again.' };
    }
    if (result.identity.tenantId) {
      let expected: string | null;
      try {
        expected = await options.authTenantOf(result.identity.tenantId);
      } catch {
        return { ok: false, reason: 'unavailable', message: UNAVAILABLE_MESSAGE };
      }
      if (!expected || expected !== firebaseTenant) return { ok: false, reason: 'invalid', message: 'This login does not belong to this portal.' };
    }
    let identity: Identity | null = result.identity;
    if (identity.role === Role.CUSTOMER && user.emailVerified && user.email) identity = { ...identity, email: user.email.toLowerCase() };
    if (identity.role === Role.CUSTOMER) {
      if (options.accountsOf) {
        let accounts: LinkedAccount[];
        try {
          accounts = await options.accountsOf(identity);
        } catch {
          return { ok: false, reason: 'unavailable', message: UNAVAILABLE_MESSAGE };
        }
        identity = withAccounts(identity, accounts);
      } else if (!identity.customerId) identity = null;
      if (!identity) return { ok: false, reason: 'revoked', message: 'This login is no longer linked to any account.' };
    }
    return { ok: true, identity, expires: decoded.exp * 1000 };
  }

  /** An integrator's API key: asked every time, so a revoked key stops at once on every gateway. */
  async function checkKey(key: string, address: string | null): Promise<TokenCheck> {
    if (!options.verifyApiKey) return { ok: false, reason: 'invalid', message: 'API keys are not accepted here.' };
    let answer: ApiKeyAnswer | null;
    try {
      answer = await options.verifyApiKey(key, address);
    } catch {
      return { ok: false, reason: 'unavailable', message: 'The API key could not be checked right now; try again in a moment.' };
    }
    if (!answer) return { ok: false, reason: 'invalid', message: 'This API key is not valid (unknown, revoked or expired).' };
    const expires = answer.expiresAt ? new Date(answer.expiresAt).getTime() : Date.now() + KEY_SESSION_MS;
    return { ok: true, identity: { uid: `key:${answer.keyId}`, role: Role.INTEGRATOR, tenantId: answer.tenantId, scopes: answer.scopes }, expires };
  }

  /**
   * Drops the answers kept for a tenant's customer logins, after a change to who is linked to which
   * account passed through here: their next request asks again.
   */
  const forgetCustomers = (tenantId: string) => {
    for (const [key, entry] of recent) if (entry.customerOf === tenantId) recent.delete(key);
  };

  const verifyToken = function verifyToken(token: string, address: string | null = null, kind: CredentialKind = 'bearer'): Promise<TokenCheck> {
    if (kind === 'bearer' && looksLikeApiKey(token)) return checkKey(token, address);
    const now = Date.now();
    const key = kind === 'session' ? `session:${token}` : token;
    const hit = recent.get(key);
    if (hit && now - hit.at < reuse) return hit.check;
    if (recent.size >= max) recent.delete(recent.keys().next().value!);
    const fresh = check(token, kind);
    const entry: { at: number; check: Promise<TokenCheck>; customerOf?: string } = { at: now, check: fresh };
    recent.set(key, entry);
    // An outage is not an answer: the next request asks again.
    void fresh.then((r) => {
      if (!r.ok && r.reason === 'unavailable' && recent.get(key)?.check === fresh) recent.delete(key);
      if (r.ok && r.identity.role === Role.CUSTOMER && r.identity.tenantId) entry.customerOf = r.identity.tenantId;
    });
    return fresh;
  };
  return Object.assign(verifyToken, { forgetCustomers });
}
export type TokenVerifier = ReturnType<typeof createTokenVerifier>;

/** The token of an `Authorization: Bearer <token>` header; undefined without a header; throws on any other shape. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const credential = credentialOf(authorization);
  if (credential && credential.kind !== 'bearer') throw unauthenticated('The Authorization header must be "Bearer <token>".');
  return credential?.token;
}

/**
 * What an Authorization header carries: `Bearer <Firebase ID token or API key>`, or `Session
 * <Firebase session cookie>` (the portal's server calling on behalf of a signed-in browser).
 * Undefined without a header; throws on any other shape.
 */
export function credentialOf(authorization: string | undefined): { kind: CredentialKind; token: string } | undefined {
  if (!authorization) return undefined;
  const match = /^(Bearer|Session)\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>" or "Session <session cookie>".');
  return { kind: match[1]!.toLowerCase() as CredentialKind, token: match[2]! };
}

/**
 * An outage of Firebase (or of the tenant lookup): INTERNAL with `retryable: true` and HTTP 503,
 * so clients retry instead of sending the user back to sign-in.
 */
export const signInUnavailable = (message = UNAVAILABLE_MESSAGE) => codedError(ErrorCode.INTERNAL, message, { retryable: true, http: { status: 503 } });

/**
 * Turns an `Authorization: Bearer <Firebase ID token>` header into an identity. No header means an
 * anonymous caller (null); a bad, expired, revoked or disabled login is UNAUTHENTICATED; Firebase
 * out of reach is a retryable INTERNAL.
 */
export function createAuthenticator(verifyToken: TokenVerifier) {
  return async function authenticate(authorization: string | undefined, address: string | null = null): Promise<Identity | null> {
    const credential = credentialOf(authorization);
    if (!credential) return null;
    const check = await verifyToken(credential.token, address, credential.kind);
    if (check.ok) return check.identity;
    if (check.reason === 'unavailable') throw signInUnavailable(check.message);
    throw unauthenticated(check.message);
  };
}
export type Authenticator = ReturnType<typeof createAuthenticator>;
