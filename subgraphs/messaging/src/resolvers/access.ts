import { Role, type Identity } from '@wisp/shared';
import { Types } from 'mongoose';

/**
 * The filter that limits messages to what the caller may read: their tenant's, and for a customer
 * never an internal note. Which work orders a customer may open is decided by the work-order
 * subgraph before a WorkOrder reference ever reaches this one.
 */
export function visibleMessages(identity: Identity): Record<string, unknown> {
  if (identity.role === Role.PLATFORM_OPERATOR) return {};
  const tenant = { tenantId: new Types.ObjectId(identity.tenantId!) };
  return identity.role === Role.CUSTOMER ? { ...tenant, internal: false } : tenant;
}

export function canSeeMessage(identity: Identity | null, m: { tenantId: Types.ObjectId; internal: boolean }): boolean {
  if (!identity) return false;
  if (identity.role === Role.PLATFORM_OPERATOR) return true;
  if (identity.tenantId !== String(m.tenantId)) return false;
  return identity.role !== Role.CUSTOMER || !m.internal;
}
