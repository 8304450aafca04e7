import { getApps, initializeApp, type App } from 'firebase-admin/app';
import { getAuth, type Auth } from 'firebase-admin/auth';
import { isRole, Role, type Identity } from './identity.ts';
import type { Logger } from './log.ts';

/** The Firebase project the stack authenticates against. @default "demo-wisp" (the emulator's) */
export function firebaseProjectId(): string {
  return process.env.FIREBASE_PROJECT_ID ?? 'demo-wisp';
}

/**
 * The firebase-admin app for a project. With FIREBASE_AUTH_EMULATOR_HOST set it talks to the
 * emulator; otherwise to the real project with application default credentials.
 */
export function firebaseApp(projectId = firebaseProjectId()): App {
  return getApps().find((a) => a.name === projectId) ?? initializeApp({ projectId }, projectId);
}

export function firebaseAuth(projectId = firebaseProjectId()): Auth {
  return getAuth(firebaseApp(projectId));
}

/** The custom claims the server sets on a Firebase user; clients can never set these. */
export interface PortalClaims {
  role: Role;
  tenantId?: string;
  customerId?: string;
}

export function claimsFor(identity: Omit<Identity, 'uid'>): PortalClaims {
  return {
    role: identity.role,
    ...(identity.tenantId ? { tenantId: identity.tenantId } : {}),
    ...(identity.customerId ? { customerId: identity.customerId } : {}),
  };
}

/**
 * Builds the caller's identity from the custom claims on the Firebase user record (set only by the
 * server), never from a token's body, or says why it cannot: a login without a role, a platform
 * operator inside a tenant, a customer without a customer record. Whether the login's Firebase
 * tenant is the WISP's own is checked by the caller, which can look the WISP up.
 */
export function identityFromClaims(
  uid: string,
  claims: Record<string, unknown> | undefined,
  firebaseTenant: string | null,
): { ok: true; identity: Identity } | { ok: false; reason: string } {
  const { role, tenantId, customerId } = claims ?? {};
  if (!isRole(role)) return { ok: false, reason: 'This login has no portal role yet.' };
  if (role === Role.INTEGRATOR) return { ok: false, reason: 'Integrators use API keys, not sign-ins: ask the WISP\'s administrator for one.' };
  if (role === Role.PLATFORM_OPERATOR) {
    if (firebaseTenant) return { ok: false, reason: 'Platform operators sign in outside any tenant.' };
    return { ok: true, identity: { uid, role, tenantId: null } };
  }
  if (typeof tenantId !== 'string' || !tenantId) return { ok: false, reason: 'This login belongs to no tenant.' };
  if (!firebaseTenant) return { ok: false, reason: 'This login does not belong to this portal.' };
  if (role === Role.CUSTOMER && customerId !== undefined && (typeof customerId !== 'string' || !customerId)) {
    return { ok: false, reason: 'This login is not linked to a customer record.' };
  }
  // A customer login's claims may name the account it holds; a household member's or property
  // manager's name none. Which accounts it may act for is the customer subgraph's to say (links).
  return { ok: true, identity: { uid, role, tenantId, ...(role === Role.CUSTOMER && customerId ? { customerId: customerId as string } : {}) } };
}

/**
 * Emulator mode is for this machine only: the Auth emulator signs no tokens, so anyone who can
 * reach a service can sign in as any user. Refuses to start with it under NODE_ENV=production and
 * says so loudly otherwise.
 */
export function checkAuthEmulatorMode(log: Logger): void {
  const host = process.env.FIREBASE_AUTH_EMULATOR_HOST;
  if (!host) return;
  if (process.env.NODE_ENV === 'production') {
    throw new Error('FIREBASE_AUTH_EMULATOR_HOST is set while NODE_ENV=production. The Auth emulator signs no tokens, so anyone could sign in as anyone: unset it and use a real Firebase project.');
  }
  log.warn('AUTH EMULATOR MODE: sign-in tokens are not signed; anyone who can reach this service can sign in as any user. Local development and demos only.', { emulator: host });
}
