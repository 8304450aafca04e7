import { createStaffDirectory, customerDirectoryOn, connectMongo, createLogger, openAgentNotifier, openOutbox, openTenantDirectory, type AgentNotifier, type CustomerDirectory, type Identity, type Outbox, type StaffDirectory, type SubgraphOptions, type SubgraphSetup, type TenantDirectory } from '@wisp/shared';
import { createRelay, eventLogOn, type EventLog, type Relay } from '@wisp/events';
import type { Connection } from 'mongoose';

/** What the work-order subgraph uses beyond its own database. */
export interface Services {
  events: EventLog;
  /** Moves the events saved with each change to the event log. */
  relay: Relay;
  customers: CustomerDirectory;
  tenants: TenantDirectory;
  staff: StaffDirectory;
  notifier: AgentNotifier;
  /** Mail to customers (ticket updates). */
  outbox: Outbox;
}

export async function openServices(conn: Connection, options: SubgraphOptions): Promise<SubgraphSetup<Services>> {
  const conns: Connection[] = [];
  const open = async (name: string) => {
    const c = await connectMongo(name, options.mongo);
    conns.push(c);
    return c;
  };
  const log = createLogger('subgraph-work-order');
  const [eventsConn, customerConn] = await Promise.all([open('events'), open('customer')]);
  const events = eventLogOn(eventsConn);
  // Every model of this subgraph whose documents carry pending events.
  const relay = createRelay(events, () => [conn.models.WorkOrder!, conn.models.CallbackRequest!], { logger: log });
  const tenants = await openTenantDirectory(options.mongo);
  const outbox = await openOutbox(options.mongo);
  const staff = createStaffDirectory(tenants);
  const notifier = await openAgentNotifier(options.mongo, { outbox, tenants, staff, log });
  return {
    services: {
      events,
      relay,
      customers: customerDirectoryOn(customerConn),
      tenants,
      staff,
      notifier,
      outbox,
    },
    stop: async () => {
      await relay.stop();
      await Promise.all([tenants.close(), outbox.close(), notifier.close(), ...conns.map((c) => c.close())]);
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
