import { isStaff, Role, type Identity } from '@wisp/shared';
import type { Types } from 'mongoose';

/** A customer sees only their own record; staff their own tenant's; platform operators any. */
export function canSeeCustomer(identity: Identity | null, customer: { _id: Types.ObjectId; tenantId: Types.ObjectId }): boolean {
  if (!identity) return false;
  if (identity.role === Role.PLATFORM_OPERATOR) return true;
  if (identity.tenantId !== String(customer.tenantId)) return false;
  if (identity.role === Role.CUSTOMER) return identity.customerId === String(customer._id);
  return isStaff(identity);
}
