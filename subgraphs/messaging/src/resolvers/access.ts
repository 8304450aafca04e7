import { hasScope, isStaff, namedAsContact, Role, type Identity } from '@wisp/shared';
import { Types } from 'mongoose';
import type { WorkOrderFacts } from '../services.ts';

/**
 * The filter that limits messages to what the caller may read: their tenant's; for a customer
 * never an internal note, and never another customer's words (an outage's conversation is
 * shared by everyone it affects).
 */
/** Staff see internal notes; an integrator only with a key that has `notes:read`; a customer never. */
export function seesInternalNotes(identity: Identity): boolean {
  if (identity.role === Role.CUSTOMER) return false;
  if (identity.role === Role.INTEGRATOR) return hasScope(identity, 'notes:read');
  return true;
}

export function visibleMessages(identity: Identity): Record<string, unknown> {
  if (identity.role === Role.PLATFORM_OPERATOR) return {};
  const tenant = { tenantId: new Types.ObjectId(identity.tenantId!) };
  if (identity.role !== Role.CUSTOMER) return seesInternalNotes(identity) ? tenant : { ...tenant, internal: false };
  return {
    ...tenant,
    internal: false,
    $or: [{ authorKind: { $ne: 'CUSTOMER' } }, { authorCustomerId: new Types.ObjectId(identity.customerId!) }],
  };
}

export function canSeeMessage(
  identity: Identity | null,
  m: { tenantId: Types.ObjectId; internal: boolean; authorKind?: string; authorCustomerId?: Types.ObjectId | null },
): boolean {
  if (!identity) return false;
  if (identity.role === Role.PLATFORM_OPERATOR) return true;
  if (identity.tenantId !== String(m.tenantId)) return false;
  if (identity.role !== Role.CUSTOMER) return seesInternalNotes(identity) || !m.internal;
  return !m.internal && (m.authorKind !== 'CUSTOMER' || String(m.authorCustomerId) === identity.customerId);
}

/** The same rule as the work-order subgraph: a customer's own or affecting them; staff their tenant's. */
export function canSeeWorkOrder(identity: Identity | null, wo: WorkOrderFacts | null | undefined): wo is WorkOrderFacts {
  if (!identity || !wo) return false;
  if (identity.role === Role.PLATFORM_OPERATOR) return true;
  if (identity.tenantId !== String(wo.tenantId)) return false;
  if (identity.role === Role.CUSTOMER) {
    const me = identity.customerId;
    return String(wo.reporterCustomerId) === me || (wo.affectedCustomerIds ?? []).some((id) => String(id) === me);
  }
  return isStaff(identity);
}

/**
 * Reading a ticket's conversation: whoever may see the ticket, and the customer login the ticket
 * names as its contact (it reads staff's public replies and its own lines; writing is for the
 * ticket's account).
 */
export function canReadWorkOrder(identity: Identity | null, wo: WorkOrderFacts | null | undefined): wo is WorkOrderFacts {
  return canSeeWorkOrder(identity, wo) || (!!wo && namedAsContact(identity, wo));
}

export const customerIdsOf = (wo: Pick<WorkOrderFacts, 'reporterCustomerId' | 'affectedCustomerIds'>) =>
  [...new Set([...(wo.reporterCustomerId ? [String(wo.reporterCustomerId)] : []), ...(wo.affectedCustomerIds ?? []).map(String)])];
