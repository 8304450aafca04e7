import { badInput, forbidden, notFound, Role, unauthenticated, type Identity } from '@wisp/shared';

/** Platform operators see every tenant; everyone else only their own. */
export function canSeeTenant(identity: Identity | null, tenantId: string): boolean {
  if (!identity) return false;
  return identity.role === Role.PLATFORM_OPERATOR || identity.tenantId === tenantId;
}

/** Only platform operators run the tenant registry. */
export function requireOperator(identity: Identity | null): Identity {
  if (!identity) throw unauthenticated();
  if (identity.role !== Role.PLATFORM_OPERATOR) throw forbidden('Only the platform operator may do that.');
  return identity;
}

/**
 * The tenant whose branding the caller administers: a tenant admin's own (another tenant's id
 * answers like an unknown one), or the tenant a platform operator names. Customers, agents and
 * integrators never administer branding.
 */
export function brandingTenantId(identity: Identity | null, requested: string | null | undefined): string {
  if (!identity) throw unauthenticated();
  if (identity.role === Role.PLATFORM_OPERATOR) {
    if (!requested) throw badInput('Name the tenant (tenantId).', 'tenantId');
    return requested;
  }
  if (identity.role !== Role.TENANT_ADMIN || !identity.tenantId) throw forbidden('Only the tenant\'s administrators may manage its branding.');
  if (requested && requested !== identity.tenantId) throw notFound('Tenant');
  return identity.tenantId;
}
