import { onAuthStateChanged, signOut, type Auth, type User } from 'firebase/auth';
import { publicConfig } from './config';
import { syncServerSession } from './serverSession';
import { signInToTenant, tenantAuth } from './tenantAuth';

/**
 * The browser's Firebase Auth instance, pointed at the tenant the portal's host belongs to, with
 * the settings SvelteKit hands the pages it renders in the browser.
 */
export const portalAuth = (authTenantId: string | null): Auth => tenantAuth(publicConfig(), authTenantId);

export { signInToTenant };

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
