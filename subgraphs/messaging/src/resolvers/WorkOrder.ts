import { isObjectId, pageQuery, toConnection, unauthenticated, type PageArgs } from '@wisp/shared';
import type { Context } from '../context.ts';
import { summaryView } from '../conversationSummary.ts';
import { canSeeMessage } from './access.ts';

const mine = (ctx: Context) => ctx.identity?.uid;

export const WorkOrder = {
  messages: async ({ id }: { id: string }, args: PageArgs, ctx: Context) => {
    if (!ctx.identity) throw unauthenticated();
    const { limit, after } = pageQuery(args);
    if (!isObjectId(id)) return toConnection([], limit);
    return toConnection(await ctx.loaders.page({ id, limit, after }), limit);
  },
  messageCount: async ({ id }: { id: string }, _: unknown, ctx: Context) =>
    isObjectId(id) && ctx.identity ? summaryView(await ctx.loaders.summary.load(id), ctx.identity).count : 0,
  unreadCount: async ({ id }: { id: string }, _: unknown, ctx: Context) => {
    if (!isObjectId(id) || !ctx.identity) return 0;
    const [s, receipts] = await Promise.all([ctx.loaders.summary.load(id), ctx.loaders.receipts.load(id)]);
    const seen = receipts.find((r) => r.readerUid === mine(ctx))?.seenOthers ?? 0;
    return Math.max(0, summaryView(s, ctx.identity).others - seen);
  },
  lastMessage: async ({ id }: { id: string }, _: unknown, ctx: Context) => {
    if (!isObjectId(id) || !ctx.identity) return null;
    const { lastId } = summaryView(await ctx.loaders.summary.load(id), ctx.identity);
    if (!lastId) return null;
    // Resolved after the summary arrives, by when this request's `messages` pages (if it asks for them) are under way.
    const m = await ctx.loaders.messageOf(id, String(lastId));
    return m && canSeeMessage(ctx.identity, m) ? m : null;
  },
  attachments: async ({ id }: { id: string }, _: unknown, ctx: Context) => (isObjectId(id) ? ctx.loaders.attachments.load(id) : []),
};
