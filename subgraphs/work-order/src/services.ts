import { createLogger, createStaffDirectory, type CustomerDirectory, type Identity, type StaffDirectory, type SubgraphOptions, type SubgraphSetup, type TenantDirectory } from '@wisp/shared';
import { announceUnannounced, createRelay, openCustomerDirectory, openEventLog, openTenantDirectory, type EventLog, type Relay } from '@wisp/events';
import { startSlaClock } from './resolvers/sla.ts';
import { ticketEvent, workOrderState } from './workOrderEvents.ts';
import type { WorkOrderRow } from './resolvers/workOrderOps.ts';
import type { Connection } from 'mongoose';


/** What the work-order subgraph uses beyond its own collections. */
export interface Services {
  events: EventLog;
  /** Moves the events saved with each change to the event log. */
  relay: Relay;
  /** Its read model of the customers (site, plan, equipment, where mail may go). */
  customers: CustomerDirectory;
  /** Its read model of the tenants (numbering prefix). */
  tenants: TenantDirectory;
  staff: StaffDirectory;
}

export async function openServices(conn: Connection, options: SubgraphOptions): Promise<SubgraphSetup<Services>> {
  const log = createLogger('subgraph-work-order');
  const events = await openEventLog(options.mongo);
  // Every model of this subgraph whose documents carry pending events.
  const relay = createRelay(events, () => [{ model: conn.models.WorkOrder!, entity: 'WorkOrder', state: workOrderState }, conn.models.CallbackRequest!], { logger: log });
  const [tenants, customers] = await Promise.all([openTenantDirectory({ conn, log: events, logger: log }), openCustomerDirectory({ conn, log: events, logger: log })]);
  const staff = createStaffDirectory(tenants);
  // Work orders saved before work orders published their state are announced once.
  const announced = await announceUnannounced(conn.models.WorkOrder!, relay, (doc) => ticketEvent(doc as WorkOrderRow, 'ticket.updated', 'updated', { fields: [] }));
  if (announced) log.info('announced work orders saved before events', { workOrders: announced });
  const slaClock = await startSlaClock(conn, events, log);
  return {
    services: { events, relay, customers, tenants, staff },
    stop: async () => {
      await slaClock.stop();
      await relay.stop();
      await Promise.all([tenants.close(), customers.close()]);
      await events.close();
    },
  };
}

/** Who did it, as shown in timelines: a staff member's name, the customer's name, or "System". */
export async function actorName(services: Services, identity: Identity): Promise<string> {
  if (identity.role === 'CUSTOMER' && identity.customerId) {
    return (await services.customers.get(identity.tenantId!, identity.customerId))?.name ?? 'Customer';
  }
  if (identity.tenantId) return (await services.staff.get(identity.tenantId, identity.uid))?.name ?? 'Support';
  return 'Platform operations';
}
