import { getApp, getApps, initializeApp } from 'firebase/app';
import {
  browserLocalPersistence,
  connectAuthEmulator,
  indexedDBLocalPersistence,
  initializeAuth,
  onAuthStateChanged,
  signInWithEmailAndPassword,
  signOut,
  type Auth,
  type User,
} from 'firebase/auth';
import { publicConfig } from './config';
import { syncServerSession } from './serverSession';

let auth: Auth | undefined;

/**
 * The browser's Firebase Auth instance, pointed at the tenant the portal's host belongs to.
 * Browser only: it keeps the session in IndexedDB, which is per origin, so each WISP's portal
 * address has its own session.
 */
export function portalAuth(authTenantId: string | null): Auth {
  if (!auth) {
    const config = publicConfig();
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
export async function signInToTenant(
  auth: Auth,
  authTenantId: string | null,
  email: string,
  password: string,
): Promise<User> {
  auth.tenantId = authTenantId;
  const credential = await signInWithEmailAndPassword(auth, email.trim(), password);
  return credential.user;
}

/**
 * Calls `onChange` with the signed-in user of this tenant, or null. A stored session from another
 * tenant (the portal's tenant changed since) is signed out rather than shown.
 */
export function watchTenantUser(
  auth: Auth,
  authTenantId: string | null,
  onChange: (user: User | null) => void,
): () => void {
  return onAuthStateChanged(auth, (user) => {
    if (user && (user.tenantId ?? null) !== authTenantId) {
      void signOut(auth);
      void syncServerSession(null);
      onChange(null);
      return;
    }
    // The portal's server renders pages for the same login the browser holds, or for none; the
    // page learns of the user once the server has it too, so a link followed at once is rendered.
    // A login too old to start a server session is signed out, to sign in afresh.
    void syncServerSession(user).then((outcome) => {
      if (outcome === 'refused' && user) void signOut(auth);
      else onChange(user);
    });
  });
}

export { signOut };
