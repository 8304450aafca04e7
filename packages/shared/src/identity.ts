import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const Role = {
  CUSTOMER: 'CUSTOMER',
  AGENT: 'AGENT',
  TENANT_ADMIN: 'TENANT_ADMIN',
  PLATFORM_OPERATOR: 'PLATFORM_OPERATOR',
  INTEGRATOR: 'INTEGRATOR',
} as const;
export type Role = (typeof Role)[keyof typeof Role];
const ROLES: ReadonlySet<string> = new Set(Object.values(Role));

/** Who is calling, as established by the gateway from a verified Firebase ID token. */
export interface Identity {
  uid: string;
  role: Role;
  /** The WISP the caller belongs to; null only for platform operators. */
  tenantId: string | null;
  /** Set for role CUSTOMER: the customer record this login belongs to. */
  customerId?: string;
  /** Set for role INTEGRATOR: the scopes its API key was given (see API_SCOPES). */
  scopes?: string[];
  /**
   * Set for role CUSTOMER: every customer account the login is linked to, with the link's role, as
   * the customer subgraph keeps them. `customerId` is the one being acted for, always among them.
   */
  accounts?: LinkedAccount[];
  /**
   * Set for role CUSTOMER when the login's email is confirmed (its user record says so), lower
   * case: a ticket that names it as its contact email is visible to the login (read only).
   */
  email?: string;
}

/**
 * How a login is linked to a customer account: OWNER is the account holder; MEMBER a person of the
 * household, who sees and opens tickets; MANAGER a property manager, who acts on the account.
 */
export const AccountRole = { OWNER: 'OWNER', MEMBER: 'MEMBER', MANAGER: 'MANAGER' } as const;
export type AccountRole = (typeof AccountRole)[keyof typeof AccountRole];
const ACCOUNT_ROLES: ReadonlySet<string> = new Set(Object.values(AccountRole));
export const isAccountRole = (value: unknown): value is AccountRole => typeof value === 'string' && ACCOUNT_ROLES.has(value);

/** One customer account a login may act for. */
export interface LinkedAccount {
  customerId: string;
  role: AccountRole;
}

/** The accounts a customer login may act for (an identity signed without a list holds its one account). */
export function accountsOf(identity: Identity | null): LinkedAccount[] {
  if (identity?.role !== Role.CUSTOMER) return [];
  if (identity.accounts) return identity.accounts;
  return identity.customerId ? [{ customerId: identity.customerId, role: AccountRole.OWNER }] : [];
}

/** The link between a customer login and one account, or undefined when the login is not linked to it. */
export function linkTo(identity: Identity | null, customerId: string): LinkedAccount | undefined {
  return accountsOf(identity).find((a) => a.customerId === customerId);
}

/**
 * The role the login holds on the account it acts for. Household members see and open tickets;
 * the account's own settings, billing and household are for its holder and its property manager.
 */
export function actingRole(identity: Identity | null): AccountRole | undefined {
  return identity?.customerId ? linkTo(identity, identity.customerId)?.role : undefined;
}

/**
 * Whether a customer login may read a ticket because the ticket names the login's confirmed email
 * as its contact (a ticket a customer reported, not an outage): seed rule of the portal, which
 * lets the person a ticket was opened for follow it from their own login.
 */
export function namedAsContact(identity: Identity | null, wo: { tenantId: unknown; type?: string | null; reporterCustomerId?: unknown; contact?: { email?: string | null } | null; contactEmail?: string | null }): boolean {
  if (identity?.role !== Role.CUSTOMER || !identity.email || identity.tenantId !== String(wo.tenantId)) return false;
  if (!wo.reporterCustomerId || wo.type === 'OUTAGE') return false;
  const named = wo.contactEmail ?? wo.contact?.email ?? null;
  return !!named && named.trim().toLowerCase() === identity.email;
}

/** Whether the login acts for its account as the holder or the property manager (not a household member). */
export const actsAsHolder = (identity: Identity | null): boolean => {
  const role = actingRole(identity);
  return role === AccountRole.OWNER || role === AccountRole.MANAGER;
};

export const IDENTITY_HEADER = 'x-wisp-identity';
export const IDENTITY_TS_HEADER = 'x-wisp-identity-ts';
export const IDENTITY_SIG_HEADER = 'x-wisp-identity-sig';
export const REQUEST_ID_HEADER = 'x-request-id';

/** How old a signature may be before a subgraph refuses it. @default 30 000 ms */
export const DEFAULT_MAX_IDENTITY_AGE_MS = 30_000;

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && ROLES.has(value);
}

/** Staff roles that act on behalf of one tenant. */
export function isStaff(identity: Identity | null): identity is Identity {
  return !!identity && (identity.role === Role.AGENT || identity.role === Role.TENANT_ADMIN || identity.role === Role.INTEGRATOR);
}

export function assertUsableSecret(secret: string | undefined): asserts secret is string {
  if (!secret || secret.length < 32) {
    throw new Error('IDENTITY_SECRET must be set to at least 32 characters (the gateway and every subgraph share it).');
  }
}


export const IDENTITY_NONCE_HEADER = 'x-wisp-identity-nonce';
export const CLIENT_ADDRESS_HEADER = 'x-wisp-client';

/**
 * The request a signature is bound to. `body` is the exact bytes sent; a body streamed through
 * without being read (file uploads) is bound by its declared length instead.
 */
export interface SignedRequest {
  method: string;
  /** Path and query string, e.g. `/graphql` or `/internal/tenant-status/abc`. */
  path: string;
  body?: string | Buffer | { streamedLength: string | number | undefined };
}

function bodyDigest(body: SignedRequest['body']): string {
  if (body === undefined) return createHash('sha256').update('').digest('base64url');
  if (typeof body === 'string' || Buffer.isBuffer(body)) return createHash('sha256').update(body).digest('base64url');
  return `stream:${body.streamedLength ?? ''}`;
}

function sign(secret: string, parts: string[]): string {
  return createHmac('sha256', secret).update(parts.join('\n')).digest('base64url');
}

function signedParts(request: SignedRequest, ts: string, nonce: string, payload: string, client: string): string[] {
  return [request.method.toUpperCase(), request.path, bodyDigest(request.body), ts, nonce, payload, client];
}

/**
 * Remembers the nonces of accepted signatures for the freshness window, so a captured header set
 * is good for one request only. Memory stays bounded by the gateway's request rate over the window.
 */
export class NonceStore {
  private seen = new Map<string, number>();
  private lastSweep = 0;
  /** @param windowMs how long a nonce is remembered; covers clock skew both ways. @default twice the freshness window */
  constructor(private readonly windowMs = 2 * DEFAULT_MAX_IDENTITY_AGE_MS) {}

  /** True the first time a nonce is offered within the window; false for a replay. */
  claim(nonce: string, now = Date.now()): boolean {
    if (now - this.lastSweep > 1000) {
      this.lastSweep = now;
      for (const [n, until] of this.seen) if (until <= now) this.seen.delete(n);
    }
    const until = this.seen.get(nonce);
    if (until !== undefined && until > now) return false;
    this.seen.set(nonce, now + this.windowMs);
    return true;
  }
}

/** The nonces this process has accepted (every subgraph route checks against it unless given its own). */
export const processNonces = new NonceStore();

/**
 * Headers carrying `identity` (null for an anonymous caller) and optionally the end client's
 * address from the gateway to a subgraph, signed together with the request's method, path, body
 * hash, a timestamp and a one-time nonce. Anonymous requests are signed too, so a subgraph can
 * refuse every request that did not come through the gateway.
 */
export function signIdentityHeaders(
  identity: Identity | null,
  secret: string,
  request: SignedRequest,
  { now = Date.now(), nonce = randomBytes(16).toString('base64url'), clientAddress }: { now?: number; nonce?: string; clientAddress?: string } = {},
): Record<string, string> {
  const payload = Buffer.from(JSON.stringify(identity)).toString('base64url');
  const client = clientAddress ? Buffer.from(clientAddress).toString('base64url') : '';
  const ts = String(now);
  return {
    [IDENTITY_HEADER]: payload,
    [IDENTITY_TS_HEADER]: ts,
    [IDENTITY_NONCE_HEADER]: nonce,
    ...(client ? { [CLIENT_ADDRESS_HEADER]: client } : {}),
    [IDENTITY_SIG_HEADER]: sign(secret, signedParts(request, ts, nonce, payload, client)),
  };
}

export type IdentityCheck =
  | { ok: true; identity: Identity | null; /** The end client's address as the gateway signed it, for rate limits. */ clientAddress: string | null }
  | { ok: false; reason: 'missing' | 'bad-signature' | 'stale' | 'replayed' | 'malformed' };

function header(headers: IncomingHttpHeaders | Headers, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const v = (headers as IncomingHttpHeaders)[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Checks the gateway's signature over this very request, its freshness and that its nonce was not
 * used before; never trusts an unsigned, stale, replayed or re-targeted identity.
 */
export function verifyIdentityHeaders(
  headers: IncomingHttpHeaders | Headers,
  secret: string,
  request: SignedRequest,
  { now = Date.now(), maxAgeMs = DEFAULT_MAX_IDENTITY_AGE_MS, nonces = processNonces }: { now?: number; maxAgeMs?: number; nonces?: NonceStore } = {},
): IdentityCheck {
  const payload = header(headers, IDENTITY_HEADER);
  const ts = header(headers, IDENTITY_TS_HEADER);
  const nonce = header(headers, IDENTITY_NONCE_HEADER);
  const sig = header(headers, IDENTITY_SIG_HEADER);
  const client = header(headers, CLIENT_ADDRESS_HEADER) ?? '';
  if (!payload || !ts || !sig || !nonce) return { ok: false, reason: 'missing' };
  const expected = Buffer.from(sign(secret, signedParts(request, ts, nonce, payload, client)));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad-signature' };
  const at = Number(ts);
  if (!Number.isFinite(at) || Math.abs(now - at) > maxAgeMs) return { ok: false, reason: 'stale' };
  let identity: Identity | null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (parsed === null) identity = null;
    else {
      const p = parsed as Record<string, unknown>;
      if (typeof p.uid !== 'string' || !isRole(p.role)) return { ok: false, reason: 'malformed' };
      identity = {
        uid: p.uid,
        role: p.role,
        tenantId: typeof p.tenantId === 'string' ? p.tenantId : null,
        ...(typeof p.customerId === 'string' ? { customerId: p.customerId } : {}),
        ...(Array.isArray(p.scopes) && p.scopes.every((x) => typeof x === 'string') ? { scopes: p.scopes as string[] } : {}),
      };
      if (typeof p.email === 'string' && p.email.length <= 254) identity.email = p.email;
      if (p.accounts !== undefined) {
        const accounts = p.accounts;
        if (!Array.isArray(accounts) || !accounts.every((a) => typeof a?.customerId === 'string' && isAccountRole(a?.role))) return { ok: false, reason: 'malformed' };
        identity.accounts = (accounts as LinkedAccount[]).map((a) => ({ customerId: a.customerId, role: a.role }));
      }
    }
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  // Claimed last, so a forged or stale header set cannot burn a genuine request's nonce.
  if (!nonces.claim(nonce, now)) return { ok: false, reason: 'replayed' };
  const address = client ? Buffer.from(client, 'base64url').toString('utf8') : '';
  return { ok: true, identity, clientAddress: address.length > 0 && address.length <= 100 ? address : null };
}
