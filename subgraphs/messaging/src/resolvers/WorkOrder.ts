import { isObjectId, pageQuery, toConnection, unauthenticated, type PageArgs } from '@wisp/shared';
import { Types } from 'mongoose';
import type { Context } from '../context.ts';
import { visibleMessages } from './access.ts';

export const WorkOrder = {
  messages: async ({ id }: { id: string }, args: PageArgs, { identity, models }: Context) => {
    if (!identity) throw unauthenticated();
    const { limit, after } = pageQuery(args);
    if (!isObjectId(id)) return toConnection([], limit);
    const rows = await models.Message.find({
      $and: [visibleMessages(identity), { workOrderId: new Types.ObjectId(id) }, after ? { _id: { $gt: after } } : {}],
    })
      .sort({ _id: 1 })
      .limit(limit + 1)
      .lean();
    return toConnection(rows, limit);
  },
};
