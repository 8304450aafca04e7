import { byIdLoader, type Identity } from '@wisp/shared';
import DataLoader from 'dataloader';
import { Types } from 'mongoose';
import type { Models } from './models/index.ts';
import { visibleWorkOrders } from './resolvers/access.ts';

/** One customer's ticket page request; requests with equal page arguments batch into one query. */
export interface TicketPageKey {
  customerId: string;
  limit: number;
  after: string | null;
  status: string[] | null;
  category?: string[] | null;
  priority?: string[] | null;
}

export function createLoaders(models: Models, identity: Identity | null) {
  const ticketPages = new DataLoader<TicketPageKey, unknown[], string>(
    async (keys) => {
      if (!identity) return keys.map(() => []);
      // Every key of a batch comes from the same field with the same arguments in practice; group anyway.
      const groups = new Map<string, TicketPageKey[]>();
      for (const k of keys) {
        const g = `${k.limit}|${k.after}|${(k.status ?? []).join(',')}|${(k.category ?? []).join(',')}|${(k.priority ?? []).join(',')}`;
        groups.set(g, [...(groups.get(g) ?? []), k]);
      }
      const results = new Map<TicketPageKey, unknown[]>();
      for (const group of groups.values()) {
        const { limit, after, status, category, priority } = group[0]!;
        const ids = group.map((k) => new Types.ObjectId(k.customerId));
        const rows = await models.WorkOrder.find({
          $and: [
            visibleWorkOrders(identity, { linked: true }),
            { $or: [{ reporterCustomerId: { $in: ids } }, { affectedCustomerIds: { $in: ids } }] },
            status?.length ? { status: { $in: status } } : {},
            category?.length ? { category: { $in: category } } : {},
            priority?.length ? { priority: { $in: priority } } : {},
            after ? { _id: { $lt: new Types.ObjectId(after) } } : {},
          ],
        })
          .sort({ _id: -1 })
          // One customer's page needs limit + 1 rows; several customers share the query, so no row cap.
          .limit(group.length === 1 ? limit + 1 : 0)
          .lean();
        for (const k of group) {
          const me = k.customerId;
          results.set(
            k,
            rows
              .filter((r) => String(r.reporterCustomerId) === me || (r.affectedCustomerIds ?? []).some((a) => String(a) === me))
              .slice(0, limit + 1),
          );
        }
      }
      return keys.map((k) => results.get(k) ?? []);
    },
    { cacheKeyFn: (k) => JSON.stringify(k) },
  );
  /** Call-backs per work order, newest first: one `$in` query for every ticket of a response. */
  const callbacksByWorkOrder = new DataLoader<string, unknown[]>(async (ids) => {
    if (!identity?.tenantId) return ids.map(() => []);
    const rows = await models.CallbackRequest.find({ tenantId: new Types.ObjectId(identity.tenantId), workOrderId: { $in: ids.map((id) => new Types.ObjectId(id)) } })
      .sort({ _id: -1 })
      .limit(50 * ids.length)
      .lean();
    return ids.map((id) => rows.filter((r) => String(r.workOrderId) === id));
  });
  return { workOrder: byIdLoader(models.WorkOrder), ticketPages, callbacksByWorkOrder };
}
export type Loaders = ReturnType<typeof createLoaders>;
