import { firebaseAuth, firebaseProjectId } from '../firebase.ts';

/** Refuses anything but the local emulator: these helpers mint tokens for any user. */
function emulatorHost(): string {
  const host = process.env.FIREBASE_AUTH_EMULATOR_HOST;
  const project = firebaseProjectId();
  if (!host || !project.startsWith('demo-')) {
    throw new Error('Tokens are only minted by the local Firebase Auth emulator (FIREBASE_AUTH_EMULATOR_HOST set, a demo- project).');
  }
  return host;
}

const authTenantIds = new Map<string, string>();

/** The Firebase Auth tenant id that holds a WISP's logins (its display name is the WISP's slug). */
export async function authTenantIdFor(slug: string): Promise<string> {
  const cached = authTenantIds.get(slug);
  if (cached) return cached;
  const { tenants } = await firebaseAuth().tenantManager().listTenants(1000);
  const found = tenants.find((t) => t.displayName === slug);
  if (!found) throw new Error(`No tenant "${slug}" in the auth emulator (has the demo data been seeded?).`);
  authTenantIds.set(slug, found.tenantId);
  return found.tenantId;
}

/**
 * Signs `email` in on the emulator and returns a real Firebase ID token, carrying the claims the
 * server set on that login. `tenantSlug` picks the WISP (omit it for platform operators).
 */
export async function emulatorIdToken(email: string, tenantSlug?: string): Promise<string> {
  const host = emulatorHost();
  const authTenantId = tenantSlug ? await authTenantIdFor(tenantSlug) : undefined;
  const auth = authTenantId ? firebaseAuth().tenantManager().authForTenant(authTenantId) : firebaseAuth();
  const user = await auth.getUserByEmail(email);
  const customToken = await auth.createCustomToken(user.uid);
  const res = await fetch(`http://${host}/identitytoolkit.googleapis.com/v1/accounts:signInWithCustomToken?key=demo-api-key`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: customToken, returnSecureToken: true, ...(authTenantId ? { tenantId: authTenantId } : {}) }),
  });
  const body = (await res.json()) as { idToken?: string; error?: { message?: string } };
  if (!res.ok || !body.idToken) throw new Error(`The emulator refused to sign in ${email}: ${body.error?.message ?? res.status}`);
  return body.idToken;
}
