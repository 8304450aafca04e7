import { getApp, getApps, initializeApp } from 'firebase/app';
import { browserLocalPersistence, connectAuthEmulator, indexedDBLocalPersistence, initializeAuth, signInWithEmailAndPassword, signOut, type Auth, type User } from 'firebase/auth';
import type { PublicConfig } from './config';

let auth: Auth | undefined;

/**
 * The browser's Firebase Auth instance for the given settings, pointed at the tenant the portal's
 * host belongs to. Browser only: it keeps the session in IndexedDB, which is per origin, so each
 * WISP's portal address has its own session. Takes its settings as an argument, so a page that
 * carries them itself (the sign-in page, which has no SvelteKit client) can sign in too.
 */
export function tenantAuth(config: Pick<PublicConfig, 'firebaseApiKey' | 'firebaseAuthDomain' | 'firebaseProjectId' | 'firebaseAuthEmulatorUrl'>, authTenantId: string | null): Auth {
  if (!auth) {
    const app = getApps().length
      ? getApp()
      : initializeApp({
          apiKey: config.firebaseApiKey,
          authDomain: config.firebaseAuthDomain,
          projectId: config.firebaseProjectId,
        });
    // Email and password only: no popup/redirect resolver, so nothing is loaded from third parties.
    auth = initializeAuth(app, { persistence: [indexedDBLocalPersistence, browserLocalPersistence] });
    if (config.firebaseAuthEmulatorUrl) {
      connectAuthEmulator(auth, config.firebaseAuthEmulatorUrl, { disableWarnings: true });
    }
  }
  auth.tenantId = authTenantId;
  return auth;
}

/** Signs in to the tenant's own user pool: the same email is a different login at each WISP. */
export async function signInToTenant(auth: Auth, authTenantId: string | null, email: string, password: string): Promise<User> {
  auth.tenantId = authTenantId;
  const credential = await signInWithEmailAndPassword(auth, email.trim(), password);
  return credential.user;
}

export { signOut };
