import { newEvent, withEvents, type ChangeEvent, type EventType, type PayloadOf, type StateOf } from '@wisp/events';
import type { Model, UpdateQuery } from 'mongoose';
import type { Models } from './models/index.ts';
import type { PortalServices } from './portal/services.ts';

const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : typeof d === 'string' ? d : null);

/** A customer as other services may know it (the catalogue's Customer state). */
export function customerState(doc: Record<string, any>): StateOf<'Customer'> {
  const portal = doc.portal ?? {};
  return {
    accountNumber: doc.accountNumber,
    name: doc.name,
    email: doc.email ?? null,
    // The record's email was entered by staff; a login's self-chosen email counts once confirmed.
    ticketMailTo: doc.email ?? (portal.email && portal.emailVerified !== false ? portal.email : null),
    phone: doc.phone ?? null,
    contactPreferences: { email: doc.contactPreferences?.email ?? true, sms: doc.contactPreferences?.sms ?? false },
    site: doc.site ?? null,
    sector: doc.sector ?? null,
    serviceStatus: doc.serviceStatus ?? 'PENDING',
    plan: doc.plan?.name ? { name: doc.plan.name, downMbps: doc.plan.downMbps ?? 0, upMbps: doc.plan.upMbps ?? 0 } : null,
    equipment: (doc.equipment ?? []).map((e: Record<string, any>) => ({ model: e.model, serial: e.serial ?? null, mac: e.mac ?? null, lastSeenAt: iso(e.lastSeenAt) })),
    portalStatus: portal.status ?? 'NONE',
  };
}

/** An event about one customer. */
export function customerEvent<T extends EventType>(customer: { _id: unknown; tenantId: unknown }, type: T, kind: string, payload: PayloadOf<T>): ChangeEvent {
  const id = String(customer._id);
  return newEvent(type, { tenantId: String(customer.tenantId), entityId: id, kind, workOrderId: null, customerIds: [id], internal: false, payload });
}

/** A change of the customer's portal access, as an event. */
export function portalAccessEvent(customer: { _id: unknown; tenantId: unknown }, status: string, action: string): ChangeEvent {
  return customerEvent(customer, 'portalAccess.changed', 'portal_access_changed', { status, action });
}

/**
 * Updates one customer together with the events of the change (one write), then relays them.
 * Returns the update's result, so callers keep checking conditional updates by it.
 */
export async function updateCustomerWithEvents(
  { models, services }: { models: Pick<Models, 'Customer'>; services: Pick<PortalServices, 'relay'> },
  filter: Record<string, unknown>,
  update: UpdateQuery<unknown>,
  events: ChangeEvent[],
): Promise<{ matchedCount: number; modifiedCount: number }> {
  const Customer = models.Customer as unknown as Model<unknown>;
  const res = await Customer.updateOne(filter, withEvents(update, events));
  if (res.modifiedCount && events.length) await services.relay?.flush(Customer, events[0]!.entityId);
  return res;
}
