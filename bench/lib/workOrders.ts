import { connectMongo } from '@wisp/shared';
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
}

/**
 * Inserts work orders (and their messages) straight through the subgraphs' models, the way a
 * busy installation would have accumulated them; events are not written (nobody is subscribed).
 */
export async function addWorkOrders(mongo: { uri: string; dbPrefix: string }, opts: AddWorkOrders) {
  const { count, from, tenant = 'skyline', customer = 'alice', messagesEach = 1, batch = 1000 } = opts;
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
      const messages = orders.flatMap((o) =>
        Array.from({ length: messagesEach }, (_, k) => ({ tenantId: tid, workOrderId: o._id, body: `About ${o.number} (${k + 1})`, authorKind: 'CUSTOMER', authorCustomerId: me, authorUid: customer, authorName: 'Bench Customer', clientMutationId: `bench-${o.seq}-${k}` })),
      );
      if (messages.length) await Message.insertMany(messages);
    }
  } finally {
    await Promise.all([wc.close(), mc.close()]);
  }
}
