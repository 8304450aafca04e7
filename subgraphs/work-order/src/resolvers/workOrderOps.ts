import { forbidden, type Identity, isObjectId, isStaff, notFound, Role, unauthenticated } from '@wisp/shared';
import { newEvent, withEvents, type ChangeEvent, type EventType, type PayloadOf } from '@wisp/events';
import { Types, type UpdateQuery } from 'mongoose';
import type { Context } from '../context.ts';
import type { WorkOrderDoc } from '../models/index.ts';
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

/** The facts every work-order event carries about its ticket (see the event catalogue). */
function ticketFacts(wo: Pick<WorkOrderRow, 'number' | 'type' | 'status' | 'priority' | 'category' | 'reporterCustomerId' | 'affectedCustomerIds'>) {
  return {
    number: wo.number,
    type: String(wo.type),
    status: String(wo.status),
    priority: String(wo.priority),
    category: String(wo.category),
    reporterCustomerId: wo.reporterCustomerId ? String(wo.reporterCustomerId) : null,
    affectedCustomerIds: (wo.affectedCustomerIds ?? []).map(String),
  };
}

/**
 * An event about a work order as it is AFTER the change (`wo`), to be saved with the change
 * ({@link saveChange}). `kind` is what live-update clients are told.
 */
export function ticketEvent<T extends EventType>(wo: WorkOrderRow, type: T, kind: string, extra: Record<string, unknown> = {}): ChangeEvent {
  return newEvent(type, {
    tenantId: String(wo.tenantId),
    entityId: String(wo._id),
    kind,
    workOrderId: String(wo._id),
    customerIds: customerIdsOf(wo),
    internal: false,
    outage: wo.type === 'OUTAGE',
    payload: { ...ticketFacts(wo), ...extra } as PayloadOf<T>,
  });
}

/**
 * Makes a change to one work order and saves its events in the same write (one document, one
 * atomic update), then relays them to the event log. Returns the update's result: a condition in
 * `filter` that no longer holds changes nothing and publishes nothing.
 */
export async function saveChange(ctx: Context, filter: { _id: Types.ObjectId } & Record<string, unknown>, update: UpdateQuery<unknown>, events: ChangeEvent[]) {
  const res = await ctx.models.WorkOrder.updateOne(filter, withEvents(update, events));
  if (res.modifiedCount === 1) await ctx.services.relay.flush(ctx.models.WorkOrder, filter._id);
  return res;
}

/** The tenant's number prefix: SKY for skyline, PRA for prairie, derived from the slug. */
export function numberPrefix(slug: string): string {
  const letters = slug.replace(/[^a-z0-9]/gi, '').toUpperCase();
  return (letters.slice(0, 3) || 'WO').padEnd(3, 'X');
}


