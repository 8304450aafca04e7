import { createLogger, createStaffDirectory, openOutbox, replyTokenSettingsFromEnv, type CustomerDirectory, type StaffDirectory, type SubgraphOptions, type SubgraphSetup } from '@wisp/shared';
import { createRelay, openCustomerDirectory, openEventLog, openTenantDirectory, startReadModel, type EventLog, type Known, type ReadModel, type Relay } from '@wisp/events';
import { agentNotifierOn, type AgentNotifier } from './agentNotifications.ts';
import { startStaffAlerts } from './staffAlerts.ts';
import { startSystemLines } from './systemLines.ts';
import { Types, type Connection } from 'mongoose';
import { attachmentRoutes } from './attachments.ts';
import { backfillSummaries } from './conversationSummary.ts';
import { inboundEmailRoute } from './inboundEmail/inboundEmailRoute.ts';
import type { Models } from './models/index.ts';

/** What this subgraph needs to know of a work order: its own copy, kept from the work-order subgraph's events. */
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
  contactEmail?: string | null;
}

export interface WorkOrderLookup {
  /** Work orders by id in one query; unknown ids are left out. */
  many: (ids: string[]) => Promise<WorkOrderFacts[]>;
  /** Resolves once every change the work-order subgraph made before the call is known here. */
  settled: () => Promise<void>;
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

const HEX24 = /^[0-9a-f]{24}$/i;

/** INBOUND_EMAIL_SECRET, if set: at least this long, like every other secret here. */
const MIN_INBOUND_SECRET_LENGTH = 32;

/** The secrets of reply-by-email; either missing turns the inbound route off. */
function inboundEmailSettingsFromEnv(log: ReturnType<typeof createLogger>) {
  const replySecret = replyTokenSettingsFromEnv().secret;
  const inboundSecret = process.env.INBOUND_EMAIL_SECRET || null;
  if (inboundSecret !== null && inboundSecret.length < MIN_INBOUND_SECRET_LENGTH) throw new Error(`INBOUND_EMAIL_SECRET must be at least ${MIN_INBOUND_SECRET_LENGTH} characters.`);
  if (!!replySecret !== !!inboundSecret) log.warn('reply by email is off: set both REPLY_TOKEN_SECRET and INBOUND_EMAIL_SECRET');
  return { replySecret, inboundSecret };
}

function workOrderFacts(w: Known<'WorkOrder'>): WorkOrderFacts {
  return {
    _id: new Types.ObjectId(w.id),
    tenantId: new Types.ObjectId(w.tenantId),
    number: w.number,
    title: w.title,
    type: w.type,
    status: w.status,
    reporterCustomerId: w.reporterCustomerId ? new Types.ObjectId(w.reporterCustomerId) : null,
    affectedCustomerIds: w.affectedCustomerIds.map((id) => new Types.ObjectId(id)),
    assigneeUid: w.assigneeUid,
    contactEmail: w.contactEmail ?? null,
  };
}

/** Work orders from this subgraph's read model; an id it does not know yet is looked for again once the model has caught up. */
function workOrderLookupOn(model: ReadModel<'WorkOrder'>): WorkOrderLookup {
  return {
    async many(ids) {
      const valid = [...new Set(ids.filter((id) => HEX24.test(id)))];
      if (valid.length === 0) return [];
      let found = await model.find({ _id: { $in: valid } });
      if (found.length < valid.length) {
        await model.settled();
        found = await model.find({ _id: { $in: valid } });
      }
      return found.map(workOrderFacts);
    },
    settled: () => model.settled(),
  };
}

type Route = NonNullable<SubgraphSetup<Services>['routes']>;
const anyOf =
  (...routes: Route[]): Route =>
  async (req, res, url) => {
    for (const route of routes) if (await route(req, res, url)) return true;
    return false;
  };

export async function openServices(conn: Connection, options: SubgraphOptions, models: Models): Promise<SubgraphSetup<Services>> {
  const log = createLogger('subgraph-messaging');
  const inbound = inboundEmailSettingsFromEnv(log);
  // Conversations stored before summaries were kept are counted once, on the first start after.
  const backfilled = await backfillSummaries(conn.db!);
  if (backfilled) log.info('conversation summaries built', { messages: backfilled });
  const [events, outbox] = await Promise.all([openEventLog(options.mongo), openOutbox(options.mongo)]);
  const relay = createRelay(events, () => [models.Message, models.ReadReceipt], { logger: log });
  // Read models in this subgraph's own database, kept from the other services' events.
  const [tenants, customers, workOrders] = await Promise.all([
    openTenantDirectory({ conn, log: events, logger: log }),
    openCustomerDirectory({ conn, log: events, logger: log }),
    startReadModel({ conn, log: events, logger: log, name: 'work-orders', entity: 'WorkOrder' }),
  ]);
  const staff = createStaffDirectory(tenants);
  // Staff notifications are this subgraph's data: kept in its own database.
  const notifier = agentNotifierOn(conn, { outbox, tenants, staff, log });
  const systemLines = await startSystemLines({ conn, models, log: events, relay, logger: log });
  const staffAlerts = await startStaffAlerts({ conn, log: events, logger: log, notifier, customers, workOrders: workOrderLookupOn(workOrders) });
  const services: Services = { events, relay, workOrders: workOrderLookupOn(workOrders), customers, staff, notifier };
  return {
    services,
    routes: anyOf(attachmentRoutes({ models, services, identitySecret: options.identitySecret, log }), inboundEmailRoute({ models, services, log, ...inbound })),
    stop: async () => {
      await Promise.all([systemLines.stop(), staffAlerts.stop()]);
      await relay.stop();
      await Promise.all([tenants.close(), customers.close(), workOrders.stop()]);
      await Promise.all([outbox.close(), events.close()]);
    },
  };
}
