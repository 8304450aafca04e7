import { AccountRole, forbidden, isStaff, linkTo, Role, unauthenticated, type Identity } from '@wisp/shared';
import type { Types } from 'mongoose';

/** A customer sees only the records of their linked accounts; staff their own tenant's; platform operators any. */
export function canSeeCustomer(
  identity: Identity | null,
  customer: { _id: Types.ObjectId; tenantId: Types.ObjectId; portal?: { status?: string | null } | null },
): boolean {
  if (!identity) return false;
  if (identity.role === Role.PLATFORM_OPERATOR) return true;
  if (identity.tenantId !== String(customer.tenantId)) return false;
  // A revoked customer reads nothing here, even while the gateway still trusts a cached token.
  // A customer sees the accounts their login is linked to; a revoked holder not even their own.
  if (identity.role === Role.CUSTOMER) {
    const role = linkTo(identity, String(customer._id))?.role;
    return !!role && (role !== AccountRole.OWNER || customer.portal?.status !== 'REVOKED');
  }
  return isStaff(identity);
}

/** The tenant a staff caller acts for; anyone else is refused. */
export function staffTenant(identity: Identity | null, roles: readonly Role[] = [Role.AGENT, Role.TENANT_ADMIN, Role.INTEGRATOR]): string {
  if (!identity) throw unauthenticated();
  if (!isStaff(identity) || !identity.tenantId || !roles.includes(identity.role)) throw forbidden();
  return identity.tenantId;
}

/** Who manages portal access: agents and tenant admins (integrators manage records, not logins). */
export const ACCESS_ROLES = [Role.AGENT, Role.TENANT_ADMIN] as const;
