import { forbidden, isObjectId, pageQuery, Role, toConnection, unauthenticated, type PageArgs } from '@wisp/shared';
import { Types } from 'mongoose';
import type { Context } from '../context.ts';
import { visibleWorkOrders } from './access.ts';

export const Customer = {
  tickets: async ({ id }: { id: string }, args: PageArgs, { identity, models }: Context) => {
    if (!identity) throw unauthenticated();
    if (identity.role === Role.CUSTOMER && identity.customerId !== id) throw forbidden();
    const { limit, after } = pageQuery(args);
    if (!isObjectId(id)) return toConnection([], limit);
    const customer = new Types.ObjectId(id);
    const rows = await models.WorkOrder.find({
      $and: [
        visibleWorkOrders(identity),
        { $or: [{ reporterCustomerId: customer }, { affectedCustomerIds: customer }] },
        after ? { _id: { $lt: after } } : {},
      ],
    })
      .sort({ _id: -1 })
      .limit(limit + 1)
      .lean();
    return toConnection(rows, limit);
  },
};
