import { createHmac, timingSafeEqual } from 'node:crypto';
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
}

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

function sign(secret: string, ts: string, payload: string): string {
  return createHmac('sha256', secret).update(`${ts}.${payload}`).digest('base64url');
}

export function assertUsableSecret(secret: string | undefined): asserts secret is string {
  if (!secret || secret.length < 32) {
    throw new Error('IDENTITY_SECRET must be set to at least 32 characters (the gateway and every subgraph share it).');
  }
}

/**
 * Headers carrying `identity` (null for an anonymous caller) from the gateway to a subgraph.
 * Anonymous requests are signed too, so a subgraph can refuse every request that did not come
 * through the gateway.
 */
export function signIdentityHeaders(identity: Identity | null, secret: string, now = Date.now()): Record<string, string> {
  const payload = Buffer.from(JSON.stringify(identity)).toString('base64url');
  const ts = String(now);
  return {
    [IDENTITY_HEADER]: payload,
    [IDENTITY_TS_HEADER]: ts,
    [IDENTITY_SIG_HEADER]: sign(secret, ts, payload),
  };
}

export type IdentityCheck =
  | { ok: true; identity: Identity | null }
  | { ok: false; reason: 'missing' | 'bad-signature' | 'stale' | 'malformed' };

function header(headers: IncomingHttpHeaders | Headers, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const v = (headers as IncomingHttpHeaders)[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Checks the gateway's signature and freshness; never trusts an unsigned or stale identity. */
export function verifyIdentityHeaders(
  headers: IncomingHttpHeaders | Headers,
  secret: string,
  { now = Date.now(), maxAgeMs = DEFAULT_MAX_IDENTITY_AGE_MS }: { now?: number; maxAgeMs?: number } = {},
): IdentityCheck {
  const payload = header(headers, IDENTITY_HEADER);
  const ts = header(headers, IDENTITY_TS_HEADER);
  const sig = header(headers, IDENTITY_SIG_HEADER);
  if (!payload || !ts || !sig) return { ok: false, reason: 'missing' };
  const expected = Buffer.from(sign(secret, ts, payload));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad-signature' };
  const at = Number(ts);
  if (!Number.isFinite(at) || Math.abs(now - at) > maxAgeMs) return { ok: false, reason: 'stale' };
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (parsed === null) return { ok: true, identity: null };
    const p = parsed as Record<string, unknown>;
    if (typeof p.uid !== 'string' || !isRole(p.role)) return { ok: false, reason: 'malformed' };
    const identity: Identity = {
      uid: p.uid,
      role: p.role,
      tenantId: typeof p.tenantId === 'string' ? p.tenantId : null,
      ...(typeof p.customerId === 'string' ? { customerId: p.customerId } : {}),
    };
    return { ok: true, identity };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}

export const CLIENT_ADDRESS_HEADER = 'x-wisp-client';
export const CLIENT_ADDRESS_SIG_HEADER = 'x-wisp-client-sig';

/**
 * Headers carrying the caller's network address from the gateway to a subgraph (for rate limits),
 * signed like the identity and bound to the same timestamp header.
 */
export function signClientAddressHeaders(address: string, secret: string, ts: string): Record<string, string> {
  const payload = Buffer.from(address).toString('base64url');
  return { [CLIENT_ADDRESS_HEADER]: payload, [CLIENT_ADDRESS_SIG_HEADER]: sign(secret, `${ts}.client`, payload) };
}

/** The caller's address as the gateway signed it, or null when absent or not validly signed. */
export function verifyClientAddress(
  headers: IncomingHttpHeaders | Headers,
  secret: string,
  { now = Date.now(), maxAgeMs = DEFAULT_MAX_IDENTITY_AGE_MS }: { now?: number; maxAgeMs?: number } = {},
): string | null {
  const payload = header(headers, CLIENT_ADDRESS_HEADER);
  const sig = header(headers, CLIENT_ADDRESS_SIG_HEADER);
  const ts = header(headers, IDENTITY_TS_HEADER);
  if (!payload || !sig || !ts) return null;
  const expected = Buffer.from(sign(secret, `${ts}.client`, payload));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const at = Number(ts);
  if (!Number.isFinite(at) || Math.abs(now - at) > maxAgeMs) return null;
  const address = Buffer.from(payload, 'base64url').toString('utf8');
  return address.length > 0 && address.length <= 100 ? address : null;
}
