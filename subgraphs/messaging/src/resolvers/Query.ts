import { forbidden, isStaff, notFound, pageQuery, unauthenticated } from '@wisp/shared';
import type { Context } from '../context.ts';
import { visibleMessage } from './Message.ts';

export const Query = {
  message: async (_: unknown, { id }: { id: string }, ctx: Context) => {
    if (!ctx.identity) throw unauthenticated();
    // An internal note, another customer's message and an unknown id all answer alike.
    const m = await visibleMessage(ctx, id);
    if (!m) throw notFound('Message');
    return m;
  },
  agentNotifications: async (_: unknown, args: { first?: number | null; unreadOnly?: boolean | null }, ctx: Context) => {
    if (!ctx.identity) throw unauthenticated();
    if (!isStaff(ctx.identity) || !ctx.identity.tenantId) throw forbidden('Only staff receive agent notifications.');
    const { limit } = pageQuery({ first: args.first });
    const { tenantId, uid } = ctx.identity;
    const [items, unreadCount] = await Promise.all([
      ctx.services.notifier.list(tenantId, uid, { limit, unreadOnly: !!args.unreadOnly }),
      ctx.services.notifier.unreadCount(tenantId, uid),
    ]);
    return { items, unreadCount };
  },
  agentNotificationPreferences: async (_: unknown, __: unknown, ctx: Context) => {
    if (!ctx.identity) throw unauthenticated();
    if (!isStaff(ctx.identity) || !ctx.identity.tenantId) throw forbidden('Only staff receive agent notifications.');
    return { emailKinds: await ctx.services.notifier.emailedKinds(ctx.identity.tenantId, ctx.identity.uid) };
  },
};

export const AgentNotification = {
  workOrder: (n: { workOrderId: string | null }) => (n.workOrderId ? { id: n.workOrderId } : null),
  read: (n: { readAt: Date | null }) => !!n.readAt,
  createdAt: (n: { createdAt: Date }) => new Date(n.createdAt).toISOString(),
};

