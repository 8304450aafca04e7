import { accountsOf, isStaff, Role, type Identity } from '@wisp/shared';
import { Types } from 'mongoose';

interface Visible {
  tenantId: Types.ObjectId;
  reporterCustomerId?: Types.ObjectId | null;
  affectedCustomerIds?: Types.ObjectId[];
}

/** A customer sees work orders they reported or are listed as affected by; staff their tenant's. */
export function canSeeWorkOrder(identity: Identity | null, wo: Visible): boolean {
  if (!identity) return false;
  if (identity.role === Role.PLATFORM_OPERATOR) return true;
  if (identity.tenantId !== String(wo.tenantId)) return false;
  if (identity.role === Role.CUSTOMER) {
    const me = identity.customerId;
    return String(wo.reporterCustomerId) === me || (wo.affectedCustomerIds ?? []).some((id) => String(id) === me);
  }
  return isStaff(identity);
}

/**
 * The filter that limits a work-order query to what the caller may see: for a customer, the
 * account the request acts for, or with `linked` every account the login is linked to (lists
 * that name their accounts, such as a property manager's).
 */
export function visibleWorkOrders(identity: Identity, { linked = false } = {}): Record<string, unknown> {
  if (identity.role === Role.PLATFORM_OPERATOR) return {};
  const tenant = { tenantId: new Types.ObjectId(identity.tenantId!) };
  if (identity.role !== Role.CUSTOMER) return tenant;
  if (linked) {
    const mine = accountsOf(identity).map((a) => new Types.ObjectId(a.customerId));
    return { ...tenant, $or: [{ reporterCustomerId: { $in: mine } }, { affectedCustomerIds: { $in: mine } }] };
  }
  const me = new Types.ObjectId(identity.customerId!);
  return { ...tenant, $or: [{ reporterCustomerId: me }, { affectedCustomerIds: me }] };
}
