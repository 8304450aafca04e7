import { firebaseAuth } from './firebase.ts';
import { Role } from './identity.ts';
import type { TenantDirectory } from './tenantDirectory.ts';

/** A WISP's staff member: a login of its Firebase Auth tenant with role AGENT or TENANT_ADMIN. */
export interface StaffMember {
  uid: string;
  email: string | null;
  name: string;
  role: 'AGENT' | 'TENANT_ADMIN';
}

/** How long a tenant's staff list is reused. @default 30 000 ms */
export const STAFF_DIRECTORY_TTL_MS = 30_000;

export interface StaffDirectory {
  list: (tenantId: string) => Promise<StaffMember[]>;
  get: (tenantId: string, uid: string) => Promise<StaffMember | null>;
}

/**
 * The staff of each WISP, read from its Firebase Auth tenant (the role claim is set by the
 * server only), so there is no second list of agents to keep in step.
 */
export function createStaffDirectory(tenants: TenantDirectory, projectId?: string): StaffDirectory {
  const cache = new Map<string, { at: number; value: StaffMember[] }>();
  async function list(tenantId: string): Promise<StaffMember[]> {
    const hit = cache.get(tenantId);
    if (hit && Date.now() - hit.at < STAFF_DIRECTORY_TTL_MS) return hit.value;
    const tenant = await tenants.get(tenantId);
    if (!tenant?.authTenantId) return [];
    const auth = firebaseAuth(projectId).tenantManager().authForTenant(tenant.authTenantId);
    const staff: StaffMember[] = [];
    let pageToken: string | undefined;
    do {
      const page = await auth.listUsers(1000, pageToken);
      for (const u of page.users) {
        const role = u.customClaims?.role;
        if (u.disabled || u.customClaims?.tenantId !== tenantId) continue;
        if (role === Role.AGENT || role === Role.TENANT_ADMIN) {
          staff.push({ uid: u.uid, email: u.email ?? null, name: u.displayName || u.email || 'Support', role });
        }
      }
      pageToken = page.pageToken;
    } while (pageToken);
    if (cache.size > 1_000) cache.clear();
    cache.set(tenantId, { at: Date.now(), value: staff });
    return staff;
  }
  return {
    list,
    async get(tenantId, uid) {
      return (await list(tenantId)).find((s) => s.uid === uid) ?? null;
    },
  };
}
