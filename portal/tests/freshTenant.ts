import { getApps, initializeApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    gatewayUrl: string;
    emulatorHost: string;
    projectId: string;
  }
}

/** A GraphQL call to the gateway that fails on any error, for a test's own setup and checks. */
export async function graphql<T>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const res = await fetch(inject('gatewayUrl'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (body.errors || !body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

export interface FreshTenant {
  id: string;
  slug: string;
  adminEmail: string;
  /** The platform operator's token, for reading and changing the tenant as the platform. */
  opsToken: string;
}

/** The login pool of a tenant (its Firebase Auth tenant, named by the tenant's slug). */
export async function tenantAuth(slug: string) {
  const app = getApps().find((a) => a.name === 'e2e') ?? initializeApp({ projectId: inject('projectId') }, 'e2e');
  const { tenants } = await getAuth(app).tenantManager().listTenants(1000);
  const found = tenants.find((t) => t.displayName === slug);
  if (!found) throw new Error(`no login pool for ${slug}`);
  return getAuth(app).tenantManager().authForTenant(found.tenantId);
}

/** A fresh tenant ("Mesa Broadband") with its own admin login, so changing its branding disturbs no other test. */
export async function freshTenant(): Promise<FreshTenant> {
  const emulator = inject('emulatorHost');
  const signIn = await fetch(`http://${emulator}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key=demo-api-key`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ops@platform.example', password: 'demo-password', returnSecureToken: true }),
  });
  const { idToken } = (await signIn.json()) as { idToken: string };
  const slug = `e2e-${Math.random().toString(36).slice(2, 10)}`;
  const { createTenant } = await graphql<{ createTenant: { id: string } }>(
    'mutation($input: CreateTenantInput!) { createTenant(input: $input) { id } }',
    { input: { slug, name: 'Mesa Broadband' } },
    idToken,
  );
  const auth = await tenantAuth(slug);
  const adminEmail = `admin@${slug}.example`;
  const user = await auth.createUser({ email: adminEmail, password: 'demo-password', emailVerified: true });
  await auth.setCustomUserClaims(user.uid, { role: 'TENANT_ADMIN', tenantId: createTenant.id });
  return { id: createTenant.id, slug, adminEmail, opsToken: idToken };
}
