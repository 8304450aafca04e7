import { Types, type Connection } from 'mongoose';
import { connectMongo, type MongoOptions } from './mongo.ts';

/** What other services may know of a tenant: read-only, from the tenant subgraph's database. */
export interface TenantInfo {
  id: string;
  slug: string;
  name: string;
  status: 'ACTIVE' | 'SUSPENDED';
  /** The Firebase Auth tenant that holds this WISP's logins. */
  authTenantId: string | null;
  branding: {
    companyName: string;
    displayName: string;
    logoUrl?: string | null;
    colors: { primary: string; secondary: string; accent: string; background: string; text: string };
    supportEmail?: string | null;
    supportPhone?: string | null;
    supportHours?: string | null;
    website?: string | null;
    footerText?: string | null;
  };
  /** Custom domains, first one preferred for links in emails. */
  domains: string[];
}

/** How long a looked-up tenant is reused. @default 5 000 ms */
export const TENANT_DIRECTORY_TTL_MS = 5_000;

export interface TenantDirectory {
  get: (tenantId: string) => Promise<TenantInfo | null>;
  close: () => Promise<void>;
}

/**
 * Reads tenants (branding for emails, the Firebase tenant for provisioning) from the tenant
 * subgraph's database. Only the tenant subgraph writes there; everything else only reads.
 */
export function tenantDirectoryOn(conn: Connection, ownsConnection = false): TenantDirectory {
  const cache = new Map<string, { at: number; value: TenantInfo | null }>();
  return {
    async get(tenantId) {
      const hit = cache.get(tenantId);
      if (hit && Date.now() - hit.at < TENANT_DIRECTORY_TTL_MS) return hit.value;
      if (!/^[0-9a-f]{24}$/i.test(tenantId)) return null;
      const doc = await conn.db!.collection('tenants').findOne({ _id: new Types.ObjectId(tenantId) });
      const value: TenantInfo | null = doc
        ? {
            id: tenantId,
            slug: doc.slug,
            name: doc.name,
            status: doc.status,
            authTenantId: doc.firebaseTenantId ?? null,
            branding: doc.branding,
            domains: doc.domains ?? [],
          }
        : null;
      if (cache.size > 1_000) cache.clear();
      cache.set(tenantId, { at: Date.now(), value });
      return value;
    },
    close: async () => {
      if (ownsConnection) await conn.close();
    },
  };
}

export async function openTenantDirectory(mongo: MongoOptions): Promise<TenantDirectory> {
  return tenantDirectoryOn(await connectMongo('tenant', mongo), true);
}
