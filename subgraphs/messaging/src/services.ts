import { connectMongo, createLogger, createStaffDirectory, customerDirectoryOn, openAgentNotifier, openOutbox, openTenantDirectory, type AgentNotifier, type CustomerDirectory, type StaffDirectory, type SubgraphOptions, type SubgraphSetup } from '@wisp/shared';
import { createRelay, eventLogOn, type EventLog, type Relay } from '@wisp/events';
import { startSystemLines } from './systemLines.ts';
import { Types, type Connection } from 'mongoose';
import { attachmentRoutes } from './attachments.ts';
import { backfillSummaries } from './conversationSummary.ts';
import type { Models } from './models/index.ts';

/** What this subgraph needs to know of a work order: read-only, from the work-order subgraph's database. */
export interface WorkOrderFacts {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  number: string;
  title: string;
  type: string;
  status: string;
  reporterCustomerId?: Types.ObjectId | null;
  affectedCustomerIds?: Types.ObjectId[];
  assigneeUid?: string | null;
}

export interface WorkOrderLookup {
  /** Work orders by id in one `$in` query; unknown ids are left out. */
  many: (ids: string[]) => Promise<WorkOrderFacts[]>;
}

export interface Services {
  events: EventLog;
  /** Moves the events saved with each message and receipt to the event log. */
  relay: Relay;
  workOrders: WorkOrderLookup;
  customers: CustomerDirectory;
  staff: StaffDirectory;
  notifier: AgentNotifier;
}

function workOrderLookupOn(conn: Connection): WorkOrderLookup {
  return {
    async many(ids) {
      const valid = [...new Set(ids.filter((id) => /^[0-9a-f]{24}$/i.test(id)))];
      if (valid.length === 0) return [];
      return (await conn
        .db!.collection('workorders')
        .find(
          { _id: { $in: valid.map((id) => new Types.ObjectId(id)) } },
          { projection: { tenantId: 1, number: 1, title: 1, type: 1, status: 1, reporterCustomerId: 1, affectedCustomerIds: 1, assigneeUid: 1 } },
        )
        .toArray()) as unknown as WorkOrderFacts[];
    },
  };
}

export async function openServices(conn: Connection, options: SubgraphOptions, models: Models): Promise<SubgraphSetup<Services>> {
  const log = createLogger('subgraph-messaging');
  // Conversations stored before summaries were kept are counted once, on the first start after.
  const backfilled = await backfillSummaries(conn.db!);
  if (backfilled) log.info('conversation summaries built', { messages: backfilled });
  const [eventsConn, workOrderConn, customerConn] = await Promise.all([
    connectMongo('events', options.mongo),
    connectMongo('work-order', options.mongo),
    connectMongo('customer', options.mongo),
  ]);
  const tenants = await openTenantDirectory(options.mongo);
  const outbox = await openOutbox(options.mongo);
  const staff = createStaffDirectory(tenants);
  const notifier = await openAgentNotifier(options.mongo, { outbox, tenants, staff, log });
  const events = eventLogOn(eventsConn);
  const relay = createRelay(events, () => [models.Message, models.ReadReceipt], { logger: log });
  const systemLines = await startSystemLines({ conn, models, log: events, relay, logger: log });
  const services: Services = {
    events,
    relay,
    workOrders: workOrderLookupOn(workOrderConn),
    customers: customerDirectoryOn(customerConn),
    staff,
    notifier,
  };
  return {
    services,
    routes: attachmentRoutes({ models, services, identitySecret: options.identitySecret, log }),
    stop: async () => {
      await systemLines.stop();
      await relay.stop();
      await Promise.all([tenants.close(), outbox.close(), notifier.close(), eventsConn.close(), workOrderConn.close(), customerConn.close()]);
    },
  };
}
