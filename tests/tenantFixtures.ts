/** Fresh tenants for tests that change branding or status, so shared demo tenants stay as seeded. */
import { randomBytes } from 'node:crypto';
import { claimsFor, firebaseAuth, Role } from '@wisp/shared';
import { emulatorIdToken, gql } from '@wisp/shared/testing';

export interface TestTenant {
  id: string;
  slug: string;
  authTenantId: string;
  adminEmail: string;
  /** A fresh ID token of the tenant's admin. */
  adminToken: () => Promise<string>;
  /** Adds a login with `role` to the tenant and returns a fresh ID token for it. */
  loginAs: (role: Role, email: string, customerId?: string) => Promise<string>;
}

export const uniqueSlug = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`.slice(0, 20);

/** Creates a tenant through the API as the platform operator, with an admin login in its own auth tenant. */
export async function createTestTenant(gatewayUrl: string, opsToken: string, prefix = 't'): Promise<TestTenant> {
  const slug = uniqueSlug(prefix);
  const r = await gql(
    gatewayUrl,
    `mutation($input: CreateTenantInput!) { createTenant(input: $input) { id slug } }`,
    { input: { slug, name: `Test WISP ${slug}` } },
    { token: opsToken },
  );
  if (r.errors) throw new Error(`createTenant failed: ${JSON.stringify(r.errors)}`);
  const id = r.data!.createTenant.id as string;
  const { tenants } = await firebaseAuth().tenantManager().listTenants(1000);
  const authTenantId = tenants.find((t) => t.displayName === slug)!.tenantId;
  const auth = firebaseAuth().tenantManager().authForTenant(authTenantId);

  const loginAs = async (role: Role, email: string, customerId?: string) => {
    let uid: string;
    try {
      uid = (await auth.getUserByEmail(email)).uid;
    } catch {
      uid = (await auth.createUser({ email, password: 'demo-password', emailVerified: true })).uid;
    }
    await auth.setCustomUserClaims(uid, { ...claimsFor({ role, tenantId: id, ...(customerId ? { customerId } : {}) }) });
    return emulatorIdToken(email, slug);
  };
  const adminEmail = `admin@${slug}.example`;
  await loginAs(Role.TENANT_ADMIN, adminEmail);
  return { id, slug, authTenantId, adminEmail, adminToken: () => emulatorIdToken(adminEmail, slug), loginAs };
}
