import { forbidden, type Identity, isObjectId, isStaff, notFound, Role, unauthenticated } from '@wisp/shared';
import { Types } from 'mongoose';
import type { Context } from '../context.ts';
import type { WorkOrderDoc } from '../models/index.ts';
import { statusLabel } from '../transitions.ts';
import { canSeeWorkOrder } from './access.ts';

export type WorkOrderRow = WorkOrderDoc & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };

export function requireIdentity(identity: Identity | null): Identity {
  if (!identity) throw unauthenticated();
  return identity;
}

/** Staff of one tenant (agents, admins, integrators); platform operators act on no tenant's queue. */
export function requireStaff(identity: Identity | null): Identity & { tenantId: string } {
  const who = requireIdentity(identity);
  if (!isStaff(who) || !who.tenantId) throw forbidden('Only staff may do that.');
  return who as Identity & { tenantId: string };
}

export function requireCustomer(identity: Identity | null): Identity & { tenantId: string; customerId: string } {
  const who = requireIdentity(identity);
  if (who.role !== Role.CUSTOMER || !who.tenantId || !who.customerId) throw forbidden('Only customers may do that.');
  return who as Identity & { tenantId: string; customerId: string };
}

/** A work order the caller may see, fresh from the database; anything else answers NOT_FOUND. */
export async function loadVisible(ctx: Context, id: string): Promise<WorkOrderRow> {
  const identity = requireIdentity(ctx.identity);
  if (!isObjectId(id)) throw notFound('Work order');
  const wo = await ctx.models.WorkOrder.findById(id).lean<WorkOrderRow>();
  if (!wo || !canSeeWorkOrder(identity, wo)) throw notFound('Work order');
  return wo;
}

export const customerIdsOf = (wo: Pick<WorkOrderRow, 'reporterCustomerId' | 'affectedCustomerIds'>) =>
  [...new Set([...(wo.reporterCustomerId ? [String(wo.reporterCustomerId)] : []), ...(wo.affectedCustomerIds ?? []).map(String)])];

/** Appends one change event for a work order (every change does; live updates read them). */
export async function emit(ctx: Context, wo: WorkOrderRow, kind: string) {
  await ctx.services.events.append({
    tenantId: String(wo.tenantId),
    entity: 'WorkOrder',
    entityId: String(wo._id),
    kind,
    workOrderId: String(wo._id),
    customerIds: customerIdsOf(wo),
    internal: false,
    outage: wo.type === 'OUTAGE',
  });
}

/** Posts a system line in the conversation and its message event. `key` makes it idempotent. */
export async function postSystemLine(ctx: Context, wo: WorkOrderRow, body: string, key: string) {
  const messageId = await ctx.services.system.post({ tenantId: String(wo.tenantId), workOrderId: String(wo._id), body, key });
  await ctx.services.events.append({
    tenantId: String(wo.tenantId),
    entity: 'Message',
    entityId: messageId,
    kind: 'message_added',
    workOrderId: String(wo._id),
    customerIds: customerIdsOf(wo),
    internal: false,
    outage: wo.type === 'OUTAGE',
  });
}

export function statusLine(from: string | null | undefined, to: string, note?: string | null) {
  const base = from ? `Status changed from ${statusLabel(from)} to ${statusLabel(to)}.` : `Status set to ${statusLabel(to)}.`;
  return note ? `${base} ${note}` : base;
}

/** The tenant's number prefix: SKY for skyline, PRA for prairie, derived from the slug. */
export function numberPrefix(slug: string): string {
  const letters = slug.replace(/[^a-z0-9]/gi, '').toUpperCase();
  return (letters.slice(0, 3) || 'WO').padEnd(3, 'X');
}


