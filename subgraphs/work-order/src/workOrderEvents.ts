import type { StateOf } from '@wisp/events';

export { ticketEvent } from './resolvers/workOrderOps.ts';

/** A work order as other services may know it (the catalogue's WorkOrder state). */
export function workOrderState(doc: Record<string, any>): StateOf<'WorkOrder'> {
  return {
    number: doc.number,
    title: doc.title,
    type: doc.type,
    status: doc.status,
    priority: doc.priority,
    category: doc.category,
    reporterCustomerId: doc.reporterCustomerId ? String(doc.reporterCustomerId) : null,
    affectedCustomerIds: (doc.affectedCustomerIds ?? []).map(String),
    assigneeUid: doc.assigneeUid ?? null,
    contactEmail: doc.contact?.email ? String(doc.contact.email).toLowerCase() : null,
  };
}
