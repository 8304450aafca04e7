import { dbName, firebaseAuth, outboxOn, tenantDirectoryOn, type Outbox, type TenantDirectory, type TenantInfo } from '@wisp/shared';
import type { BaseAuth } from 'firebase-admin/auth';
import type { Connection } from 'mongoose';

/** What the customer subgraph uses besides its own collections. */
export interface PortalServices {
  outbox: Outbox;
  tenants: TenantDirectory;
  /** A tenant by its slug (for public sign-up, which names the portal, not an id). */
  tenantBySlug: (slug: string) => Promise<TenantInfo | null>;
  /** firebase-admin for one WISP's logins (its Firebase Auth tenant). */
  authFor: (tenant: Pick<TenantInfo, 'authTenantId'>) => BaseAuth;
}

/**
 * The portal address that links in a tenant's emails point to. Development (the auth emulator in
 * use) and any install that sets PORTAL_URL_TEMPLATE: the template with `{slug}` filled in.
 * Production without a template: the tenant's first custom domain over https.
 * @default "http://{slug}.localhost:3000"
 */
export function portalBaseUrl(tenant: Pick<TenantInfo, 'slug' | 'domains'>): string {
  const template = process.env.PORTAL_URL_TEMPLATE?.trim();
  const development = !!process.env.FIREBASE_AUTH_EMULATOR_HOST;
  if (!template && !development && tenant.domains[0]) return `https://${tenant.domains[0]}`;
  return (template || 'http://{slug}.localhost:3000').replace('{slug}', tenant.slug).replace(/\/$/, '');
}

/** True while the stack signs in against the auth emulator: development and tests. */
export function isDevelopment(): boolean {
  return !!process.env.FIREBASE_AUTH_EMULATOR_HOST;
}

/**
 * Opens the services on the subgraph's own connection pool (other databases of the same server).
 * The database prefix is the customer database's (`<prefix>_customer`) unless given.
 */
export function createPortalServices(conn: Connection, dbPrefix = conn.name.replace(/_customer$/, '')): PortalServices {
  const outbox = outboxOn(conn.useDb(dbName('outbox', dbPrefix), { useCache: true }));
  const tenantConn = conn.useDb(dbName('tenant', dbPrefix), { useCache: true });
  const tenants = tenantDirectoryOn(tenantConn);
  return {
    outbox,
    tenants,
    async tenantBySlug(slug) {
      if (!/^[a-z0-9-]{1,63}$/.test(slug)) return null;
      const doc = await tenantConn.db!.collection('tenants').findOne({ slug }, { projection: { _id: 1 } });
      return doc ? tenants.get(String(doc._id)) : null;
    },
    authFor(tenant) {
      const auth = firebaseAuth();
      return tenant.authTenantId ? auth.tenantManager().authForTenant(tenant.authTenantId) : auth;
    },
  };
}
