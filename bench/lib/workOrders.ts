import { connectMongo } from '@wisp/shared';
import { recordMessage } from '@wisp/subgraph-messaging/conversationSummary';
import { createModels as messagingModels } from '@wisp/subgraph-messaging/models';
import { createModels as workOrderModels } from '@wisp/subgraph-work-order/models';
import { Types } from 'mongoose';
import { customerId, tenantId } from '../../scripts/demoData.ts';

/** What {@link addWorkOrders} inserts. */
export interface AddWorkOrders {
  /** How many work orders. */
  count: number;
  /** First sequence number (numbers must not collide with earlier calls). */
  from: number;
  /** @default "skyline" */
  tenant?: string;
  /** The demo customer who reported them. @default "alice" */
  customer?: string;
  /** Customer messages on each. @default 1 */
  messagesEach?: number;
  /** Rows per insertMany. @default 1000 */
  batch?: number;
  /**
   * Count the messages in the conversation summaries, as the messaging subgraph does for every
   * message it stores (lists read their counts from there), and give messaging its copy of each
   * work order, as the work-order subgraph's events would (without it messaging treats the work
   * order as one it cannot see yet and answers no messages, no counts). Off for filler that no
   * list shows.
   * @default true
   */
  summaries?: boolean;
}

/**
 * Inserts work orders (and their messages) straight through the subgraphs' models, the way a
 * busy installation would have accumulated them; events are not written (nobody is subscribed).
 */
export async function addWorkOrders(mongo: { uri: string; dbPrefix: string }, opts: AddWorkOrders) {
  const { count, from, tenant = 'skyline', customer = 'alice', messagesEach = 1, batch = 1000, summaries = true } = opts;
  const [wc, mc] = await Promise.all([connectMongo('work-order', mongo), connectMongo('messaging', mongo)]);
  try {
    const { WorkOrder } = workOrderModels(wc);
    const { Message } = messagingModels(mc);
    const tid = new Types.ObjectId(tenantId(tenant));
    const me = new Types.ObjectId(customerId(tenant, customer));
    const prefix = tenant.slice(0, 3).toUpperCase();
    for (let start = 0; start < count; start += batch) {
      const n = Math.min(batch, count - start);
      const orders = Array.from({ length: n }, (_, i) => {
        const seq = 5000 + from + start + i;
        return { _id: new Types.ObjectId(), tenantId: tid, number: `${prefix}-${seq}`, seq, title: `Bench ticket ${seq}`, category: 'OTHER', type: 'SUPPORT', status: 'OPEN', priority: 'MEDIUM', reporterCustomerId: me, createdByUid: customer, clientMutationId: `bench-${seq}` };
      });
      await WorkOrder.insertMany(orders);
      if (summaries) {
        // Messaging's read model of work orders (rm_work-orders), in the shape its consumer stores.
        await mc.db!.collection<{ _id: string }>('rm_work-orders').insertMany(
          orders.map((o) => ({
            _id: String(o._id),
            tenantId: String(tid),
            seq: 1,
            state: { number: o.number, title: o.title, type: o.type, status: o.status, priority: o.priority, category: o.category, reporterCustomerId: String(me), affectedCustomerIds: [], assigneeUid: null },
          })),
        );
      }
      const messages = orders.flatMap((o) =>
        Array.from({ length: messagesEach }, (_, k) => ({ tenantId: tid, workOrderId: o._id, body: `About ${o.number} (${k + 1})`, authorKind: 'CUSTOMER', authorCustomerId: me, authorUid: customer, authorName: 'Bench Customer', clientMutationId: `bench-${o.seq}-${k}` })),
      );
      if (!messages.length) continue;
      const stored = await Message.insertMany(messages);
      if (summaries) for (let i = 0; i < stored.length; i += 50) await Promise.all(stored.slice(i, i + 50).map((m) => recordMessage(mc.db!, m)));
    }
  } finally {
    await Promise.all([wc.close(), mc.close()]);
  }
}
