import {
  createStaffDirectory,
  customerDirectoryOn,
  connectMongo,
  createLogger,
  eventLogOn,
  openAgentNotifier,
  openOutbox,
  openTenantDirectory,
  type AgentNotifier,
  type CustomerDirectory,
  type EventLog,
  type Identity,
  type Outbox,
  type StaffDirectory,
  type SubgraphOptions,
  type SubgraphSetup,
  type TenantDirectory,
} from '@wisp/shared';
import { Types, type Connection } from 'mongoose';

/** Posts the system's own lines into a work order's conversation (status changes, outage updates). */
export interface SystemMessages {
  /** Idempotent per `key`: the same change posts one line. Returns the message id. */
  post: (m: { tenantId: string; workOrderId: string; body: string; key: string }) => Promise<string>;
}

/** What the work-order subgraph uses beyond its own database. */
export interface Services {
  events: EventLog;
  customers: CustomerDirectory;
  tenants: TenantDirectory;
  staff: StaffDirectory;
  notifier: AgentNotifier;
  system: SystemMessages;
  /** Mail to customers (ticket updates). */
  outbox: Outbox;
}

function systemMessagesOn(conn: Connection): SystemMessages {
  // Same document shape and unique key (tenant, author, client mutation id) as the messaging subgraph's Message.
  const messages = () => conn.db!.collection('messages');
  return {
    async post({ tenantId, workOrderId, body, key }) {
      const now = new Date();
      const filter = { tenantId: new Types.ObjectId(tenantId), authorUid: 'system', clientMutationId: key };
      await messages().updateOne(
        filter,
        {
          $setOnInsert: {
            // Ids order a conversation: take one here rather than leave it to the server's upsert.
            _id: new Types.ObjectId(),
            workOrderId: new Types.ObjectId(workOrderId),
            body,
            authorKind: 'SYSTEM',
            authorName: 'System',
            internal: false,
            attachmentIds: [],
            createdAt: now,
            updatedAt: now,
          },
        },
        { upsert: true },
      );
      const doc = await messages().findOne(filter, { projection: { _id: 1 } });
      return String(doc!._id);
    },
  };
}

export async function openServices(_conn: Connection, options: SubgraphOptions): Promise<SubgraphSetup<Services>> {
  const conns: Connection[] = [];
  const open = async (name: string) => {
    const c = await connectMongo(name, options.mongo);
    conns.push(c);
    return c;
  };
  const log = createLogger('subgraph-work-order');
  const [eventsConn, customerConn, messagingConn] = await Promise.all([open('events'), open('customer'), open('messaging')]);
  const tenants = await openTenantDirectory(options.mongo);
  const outbox = await openOutbox(options.mongo);
  const staff = createStaffDirectory(tenants);
  const notifier = await openAgentNotifier(options.mongo, { outbox, tenants, staff, log });
  return {
    services: {
      events: eventLogOn(eventsConn),
      customers: customerDirectoryOn(customerConn),
      tenants,
      staff,
      notifier,
      system: systemMessagesOn(messagingConn),
      outbox,
    },
    stop: async () => {
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
