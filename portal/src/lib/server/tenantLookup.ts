import type { PortalBranding } from '../branding';
import { gatewayRequest, type GatewayRequestOptions } from './gatewayRequest';

/** What a portal host resolves to. */
export type TenantLookupResult =
  | { kind: 'found'; branding: PortalBranding }
  | { kind: 'unknown' }
  | { kind: 'unavailable'; detail: string };

/** Options for {@link createTenantLookup}. */
export interface TenantLookupOptions {
  /** The gateway's GraphQL endpoint, read per lookup so the running server follows its environment. */
  gatewayUrl: () => string;
  /** How long an answer for a host is reused. @default 30_000 */
  ttlMs?: number;
  /** Most hosts remembered at once; the least recently used is dropped first. @default 1000 */
  maxEntries?: number;
  /** Injected for tests. @default globalThis.fetch */
  fetch?: GatewayRequestOptions['fetch'];
  /** Injected for tests. @default Date.now */
  now?: () => number;
}

export const PORTAL_BRANDING_QUERY = /* GraphQL */ `
  query PortalBranding($host: String!) {
    portalBranding(host: $host) {
      tenantSlug
      authTenantId
      suspended
      companyName
      displayName
      logoUrl
      logoAlt
      faviconUrl
      colors { primary secondary accent background text }
      welcomeMessage
      footerText
      supportEmail
      supportPhone
      supportHours
      website
      paymentPageUrl
      customCss
      faq { question answerHtml }
      contactHtml
      timeZone
      defaultLanguage
      portalLanguages
    }
  }
`;

// A Host header is attacker-chosen; anything that cannot be a host name (with optional port) is
// answered locally so junk never reaches the gateway or fills the cache.
const PLAUSIBLE_HOST = /^[a-z0-9.-]{1,253}(:\d{1,5})?$/;

interface Entry {
  expires: number;
  result: Promise<TenantLookupResult>;
}

/**
 * Resolves a request's Host header to its tenant's branding through the gateway, remembering each
 * answer for a short while. Concurrent lookups for one host share a single gateway call, and a
 * failed call is not remembered so the portal recovers as soon as the gateway does.
 */
export function createTenantLookup(options: TenantLookupOptions): (host: string) => Promise<TenantLookupResult> {
  const ttlMs = options.ttlMs ?? 30_000;
  const maxEntries = options.maxEntries ?? 1000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();

  async function fetchBranding(host: string): Promise<TenantLookupResult> {
    const result = await gatewayRequest<{ portalBranding: PortalBranding | null }>(
      PORTAL_BRANDING_QUERY,
      { host },
      { url: options.gatewayUrl(), fetch: options.fetch },
    );
    if (!result.ok) return { kind: 'unavailable', detail: `${result.reason}: ${result.detail}` };
    const branding = result.data.portalBranding;
    return branding ? { kind: 'found', branding } : { kind: 'unknown' };
  }

  return async function lookup(rawHost: string): Promise<TenantLookupResult> {
    const host = rawHost.trim().toLowerCase();
    if (!PLAUSIBLE_HOST.test(host)) return { kind: 'unknown' };

    const cached = entries.get(host);
    if (cached && cached.expires > now()) {
      // Re-insert so Map order tracks recency and eviction drops the least recently used host.
      entries.delete(host);
      entries.set(host, cached);
      return cached.result;
    }

    const entry: Entry = { expires: now() + ttlMs, result: fetchBranding(host) };
    entries.delete(host);
    entries.set(host, entry);
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }

    const result = await entry.result;
    if (result.kind === 'unavailable' && entries.get(host) === entry) entries.delete(host);
    return result;
  };
}
