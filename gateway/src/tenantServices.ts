import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { codedError, createLogger, ErrorCode, sendError, signIdentityHeaders, type Identity } from '@wisp/shared';
import type { ApiKeyAnswer } from './auth.ts';
import type { SessionVerifier } from './sessionAuth.ts';

/** What {@link tenantServices} needs from the gateway's options. */
export interface TenantServicesOptions {
  identitySecret: string;
  subgraphUrls?: Record<string, string | undefined>;
  supergraphSdl?: string;
  /** How long a tenant's status is trusted before it is asked again. @default 3000 ms */
  statusTtlMs?: number;
  /**
   * How long before a cached status expires a request that reads it starts a refresh in the
   * background (the request itself answers from the cache). @default a third of `statusTtlMs`
   */
  statusRefreshAheadMs?: number;
}

/** Largest logo or favicon upload. @default 1 MiB (the tenant subgraph enforces the same) */
export const MAX_UPLOAD_BYTES = 1024 * 1024;

/** Uploaded assets are named by their content hash; nothing else is forwarded. */
const ASSET_PATH = /^\/assets\/[0-9a-f]{64}\.(?:png|jpg|webp|ico|svg)$/;

const SUPERGRAPH = new URL('../../schema/supergraph.graphql', import.meta.url);

/** The tenant subgraph's base URL: the override if any, else its routing URL in the supergraph. */
function tenantBaseUrl(options: TenantServicesOptions): string {
  const override = options.subgraphUrls?.tenant;
  const sdl = options.supergraphSdl ?? readFileSync(SUPERGRAPH, 'utf8');
  const fromSdl = /@join__graph\(name: "tenant", url: "([^"]+)"\)/.exec(sdl)?.[1];
  const url = override ?? fromSdl;
  if (!url) throw new Error('The supergraph names no URL for the tenant subgraph.');
  return new URL('/', url).href.replace(/\/$/, '');
}

type Authenticate = (authorization: string | undefined, address?: string | null) => Promise<Identity | null>;

/**
 * What the gateway does for the tenant subgraph besides GraphQL: refuse the logins of suspended
 * tenants (status asked of the tenant subgraph over its signed channel, remembered briefly), take
 * logo/favicon uploads too large for a JSON body, and serve uploaded assets.
 */
export function tenantServices(options: TenantServicesOptions) {
  const log = createLogger('gateway');
  const base = tenantBaseUrl(options);
  const ttl = options.statusTtlMs ?? 3000;
  const refreshAhead = Math.min(options.statusRefreshAheadMs ?? ttl / 3, ttl);
  type Facts = { status: string; authTenantId: string | null; until: number };
  const facts = new Map<string, Facts>();
  // One lookup per tenant at a time: a burst of requests after expiry waits on the same answer.
  const inFlight = new Map<string, Promise<Facts>>();

  /** A tenant's status and Firebase Auth tenant, asked of the tenant subgraph. */
  async function lookUp(tenantId: string): Promise<Facts> {
    const path = `/internal/tenant-status/${encodeURIComponent(tenantId)}`;
    const res = await fetch(`${base}${path}`, {
      headers: signIdentityHeaders(null, options.identitySecret, { method: 'GET', path, body: { streamedLength: undefined } }),
      signal: AbortSignal.timeout(5000),
    }).catch((err: unknown) => {
      log.error('tenant status lookup failed', { error: String(err) });
      return null;
    });
    const body = res?.ok ? ((await res.json().catch(() => null)) as { status?: string; authTenantId?: string | null } | null) : null;
    const now = Date.now();
    if (!body?.status) {
      // Fail closed, but keep using a recent answer through a short outage.
      const hit = facts.get(tenantId);
      if (hit && now - hit.until < 60_000) return hit;
      throw codedError(ErrorCode.INTERNAL, 'Sign-in could not be checked right now; try again in a moment.', { retryable: true, http: { status: 503 } });
    }
    if (facts.size > 10_000 && !facts.has(tenantId)) facts.clear();
    const value = { status: body.status, authTenantId: body.authTenantId ?? null, until: now + ttl };
    facts.set(tenantId, value);
    return value;
  }

  function shared(tenantId: string): Promise<Facts> {
    let pending = inFlight.get(tenantId);
    if (!pending) {
      pending = lookUp(tenantId).finally(() => inFlight.delete(tenantId));
      inFlight.set(tenantId, pending);
    }
    return pending;
  }

  /** The tenant's facts from the cache, renewed in the background shortly before they expire. */
  function tenantFacts(tenantId: string): Promise<Facts> {
    const hit = facts.get(tenantId);
    const now = Date.now();
    if (!hit || hit.until <= now) return shared(tenantId);
    if (hit.until - now <= refreshAhead && !inFlight.has(tenantId)) {
      // Nearly stale: renew it now so the requests after expiry still answer from the cache.
      shared(tenantId).catch(() => undefined);
    }
    return Promise.resolve(hit);
  }
  const tenantStatus = async (tenantId: string) => (await tenantFacts(tenantId)).status;

  /** Wraps the authenticator: a login of a suspended (or unknown) tenant is FORBIDDEN. */
  function checkingTenantStatus(authenticate: Authenticate): Authenticate {
    return async (authorization, address) => {
      const identity = await authenticate(authorization, address);
      if (identity?.tenantId && (await tenantStatus(identity.tenantId)) !== 'ACTIVE') {
        throw codedError(ErrorCode.FORBIDDEN, 'This portal is currently unavailable.', { http: { status: 403 } });
      }
      return identity;
    };
  }

  async function relay(upstream: Response, res: ServerResponse, pass: string[]) {
    const headers: Record<string, string> = {};
    for (const name of pass) {
      const value = upstream.headers.get(name);
      if (value) headers[name] = value;
    }
    res.writeHead(upstream.status, headers);
    res.end(Buffer.from(await upstream.arrayBuffer()));
  }

  /** Routes for the gateway's HTTP server; `authenticate` must be the status-checking one. */
  function routes(authenticate: Authenticate) {
    return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
      if (url.pathname === '/uploads/branding-asset') {
        if (req.method !== 'POST') {
          sendError(res, 405, 'BAD_REQUEST', 'Use POST with the image as the request body.');
          return true;
        }
        let identity: Identity | null;
        try {
          identity = await authenticate(req.headers.authorization);
        } catch (err) {
          // The authenticator's coded verdict; anything else is no verdict about the caller, and says nothing more.
          const ext = (err as { extensions?: { code?: string; reason?: unknown; http?: { status?: number } } }).extensions;
          if (ext?.code) sendError(res, ext.http?.status ?? 401, ext.code, (err as Error).message, undefined, typeof ext.reason === 'string' ? { reason: ext.reason } : {});
          else sendError(res, 401, 'UNAUTHENTICATED', 'The sign-in token is not valid.');
          return true;
        }
        if (!identity) {
          sendError(res, 401, 'UNAUTHENTICATED', 'Sign in to continue.');
          return true;
        }
        if (Number(req.headers['content-length'] ?? 0) > MAX_UPLOAD_BYTES) {
          sendError(res, 413, 'BAD_USER_INPUT', 'The file is larger than 1 MB.');
          req.resume();
          return true;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of req) {
          size += (chunk as Buffer).length;
          if (size > MAX_UPLOAD_BYTES) {
            sendError(res, 413, 'BAD_USER_INPUT', 'The file is larger than 1 MB.');
            req.destroy();
            return true;
          }
          chunks.push(chunk as Buffer);
        }
        const tenantId = url.searchParams.get('tenantId');
        const path = `/internal/assets${tenantId ? `?tenantId=${encodeURIComponent(tenantId)}` : ''}`;
        const body = Buffer.concat(chunks);
        const upstream = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: { ...signIdentityHeaders(identity, options.identitySecret, { method: 'POST', path, body: { streamedLength: body.length } }), 'content-type': 'application/octet-stream' },
          body,
        });
        await relay(upstream, res, ['content-type', 'cache-control']);
        return true;
      }
      if (ASSET_PATH.test(url.pathname)) {
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          sendError(res, 405, 'BAD_REQUEST', 'Method not allowed.');
          return true;
        }
        const upstream = await fetch(`${base}${url.pathname}`, { method: req.method, headers: signIdentityHeaders(null, options.identitySecret, { method: req.method, path: url.pathname, body: { streamedLength: undefined } }) });
        await relay(upstream, res, ['content-type', 'content-length', 'cache-control', 'x-content-type-options', 'content-security-policy', 'etag', 'cross-origin-resource-policy']);
        return true;
      }
      return false;
    };
  }

  /** Wraps a live-updates session check the same way: a suspended tenant's socket is closed as revoked. */
  function checkingSessionTenant(verify: SessionVerifier): SessionVerifier {
    return async (token, address, kind) => {
      const check = await verify(token, address, kind);
      if (!check.ok || !check.identity.tenantId) return check;
      const status = await tenantStatus(check.identity.tenantId).catch(() => null);
      if (status === null) return { ok: false, reason: 'unavailable', message: 'Sign-in could not be checked; try again.' };
      return status === 'ACTIVE' ? check : { ok: false, reason: 'revoked', message: 'This portal is currently unavailable.' };
    };
  }

  /** Whose API key this is, asked of the tenant subgraph (the key goes in the signed body). */
  async function verifyApiKey(key: string, address: string | null): Promise<ApiKeyAnswer | null> {
    const path = '/internal/api-keys/verify';
    const body = JSON.stringify({ key, address });
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { ...signIdentityHeaders(null, options.identitySecret, { method: 'POST', path, body }), 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(5000),
    });
    if (res.status === 401) return null;
    if (!res.ok) throw new Error(`API key check answered ${res.status}`);
    return (await res.json()) as ApiKeyAnswer;
  }

  return { checkingTenantStatus, checkingSessionTenant, routes, verifyApiKey, authTenantOf: async (tenantId: string) => (await tenantFacts(tenantId)).authTenantId };
}
