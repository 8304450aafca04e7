import type { Models } from '../models/index.ts';

/**
 * Base domains under which `{slug}.<base>` names a tenant's portal. `localhost` always works for
 * development; production adds its own with PORTAL_BASE_DOMAINS (comma-separated).
 */
export function portalBaseDomains(): string[] {
  const extra = (process.env.PORTAL_BASE_DOMAINS ?? '').split(',').map((d) => d.trim().toLowerCase()).filter(Boolean);
  return ['localhost', ...extra];
}

/** Normalises a Host header value: lower case, no port, no trailing dot. */
export function normaliseHost(host: string): string {
  const h = String(host).trim().toLowerCase();
  const withoutPort = h.startsWith('[') ? h : h.replace(/:\d+$/, '');
  return withoutPort.replace(/\.$/, '');
}

/** Finds the tenant a portal host belongs to: `{slug}.{base domain}` or a registered custom domain. */
export async function resolvePortalHost(models: Models, rawHost: string) {
  const host = normaliseHost(rawHost);
  if (!host || host.length > 253) return null;
  for (const base of portalBaseDomains()) {
    const suffix = `.${base}`;
    if (host.endsWith(suffix)) {
      const slug = host.slice(0, -suffix.length);
      if (/^[a-z][a-z0-9-]{1,30}$/.test(slug)) return models.Tenant.findOne({ slug }).lean();
    }
  }
  return models.Tenant.findOne({ domains: host }).lean();
}
