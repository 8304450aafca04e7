import { isObjectId, pageQuery, toConnection, unauthenticated, type PageArgs } from '@wisp/shared';
import type { Context } from '../context.ts';

const mine = (ctx: Context) => ctx.identity?.uid;

export const WorkOrder = {
  messages: async ({ id }: { id: string }, args: PageArgs, ctx: Context) => {
    if (!ctx.identity) throw unauthenticated();
    const { limit, after } = pageQuery(args);
    if (!isObjectId(id)) return toConnection([], limit);
    const all = await ctx.loaders.conversation.load(id);
    const rows = after ? all.filter((m) => m._id > after) : all;
    return toConnection(rows.slice(0, limit + 1), limit);
  },
  messageCount: async ({ id }: { id: string }, _: unknown, ctx: Context) => (isObjectId(id) ? (await ctx.loaders.conversation.load(id)).length : 0),
  unreadCount: async ({ id }: { id: string }, _: unknown, ctx: Context) => {
    if (!isObjectId(id) || !ctx.identity) return 0;
    const [all, receipts] = await Promise.all([ctx.loaders.conversation.load(id), ctx.loaders.receipts.load(id)]);
    const readAt = receipts.find((r) => r.readerUid === mine(ctx))?.readAt;
    return all.filter((m) => m.authorUid !== mine(ctx) && (!readAt || m.createdAt > readAt)).length;
  },
  lastMessage: async ({ id }: { id: string }, _: unknown, ctx: Context) => {
    if (!isObjectId(id)) return null;
    const all = await ctx.loaders.conversation.load(id);
    return all[all.length - 1] ?? null;
  },
  attachments: async ({ id }: { id: string }, _: unknown, ctx: Context) => (isObjectId(id) ? ctx.loaders.attachments.load(id) : []),
};
