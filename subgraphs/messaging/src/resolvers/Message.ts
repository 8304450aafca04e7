import type { Types } from 'mongoose';
import type { Context } from '../context.ts';
import type { MessageDoc } from '../models/index.ts';
import { canSeeMessage } from './access.ts';

type MessageRow = MessageDoc & { _id: Types.ObjectId; createdAt: Date };

export const Message = {
  __resolveReference: async ({ id }: { id: string }, { identity, loaders }: Context) => {
    const m = await loaders.message.load(id);
    return m && canSeeMessage(identity, m) ? m : null;
  },
  id: (m: MessageRow) => String(m._id),
  author: (m: MessageRow) => (m.authorCustomerId ? { id: String(m.authorCustomerId) } : null),
  workOrder: (m: MessageRow) => ({ id: String(m.workOrderId) }),
  createdAt: (m: MessageRow) => new Date(m.createdAt).toISOString(),
};
