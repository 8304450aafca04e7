import type { ChangeEvent } from './eventLog.ts';
import { newEvent } from './publishing.ts';

/** A catalogue-valid `ticket.updated` event about work order `entityId` (tests of the log and its readers). */
export function sampleTicketEvent(entityId: string, field = 'title'): ChangeEvent {
  return newEvent('ticket.updated', {
    tenantId: 't1',
    entityId,
    kind: 'updated',
    workOrderId: entityId,
    customerIds: ['c1'],
    internal: false,
    payload: { number: 'T-1', type: 'SUPPORT', status: 'OPEN', priority: 'MEDIUM', category: 'OTHER', reporterCustomerId: 'c1', affectedCustomerIds: [], fields: [field] },
  });
}
