import { Role, type Identity } from '@wisp/shared';

/** Platform operators see every tenant; everyone else only their own. */
export function canSeeTenant(identity: Identity | null, tenantId: string): boolean {
  if (!identity) return false;
  return identity.role === Role.PLATFORM_OPERATOR || identity.tenantId === tenantId;
}
