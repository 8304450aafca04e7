import { accountsOf, badInput, namedAsContact, notFound, pageQuery, Role, toConnection, unauthenticated, type PageArgs } from '@wisp/shared';
import { Types } from 'mongoose';
import type { Context } from '../context.ts';
import { ACTIVE_STATUSES } from '../transitions.ts';
import { canSeeWorkOrder } from './access.ts';
import { requireIdentity, requireStaff } from './workOrderOps.ts';

interface QueueFilter {
  status?: string[] | null;
  priority?: string[] | null;
  category?: string[] | null;
  type?: string[] | null;
  assigneeUid?: string | null;
  unassigned?: boolean | null;
  text?: string | null;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export const Query = {
  contactTickets: async (_: unknown, args: PageArgs, { identity, models }: Context) => {
    if (!identity) throw unauthenticated();
    if (identity.role !== Role.CUSTOMER || !identity.email) return toConnection([], 0);
    const { limit, after } = pageQuery(args);
    const rows = await models.WorkOrder.find({ tenantId: new Types.ObjectId(identity.tenantId!), 'contact.email': identity.email, ...(after ? { _id: { $lt: after } } : {}) })
      .sort({ _id: -1 })
      .limit(limit + 1)
      .lean();
    // The account's own tickets are in its list already; outages and staff's own work orders name no contact to follow.
    const mine = new Set(accountsOf(identity).map((a) => a.customerId));
    return toConnection(rows.filter((wo) => namedAsContact(identity, wo) && !mine.has(String(wo.reporterCustomerId))), limit);
  },
  workOrder: async (_: unknown, { id }: { id: string }, { identity, loaders }: Context) => {
    if (!identity) throw unauthenticated();
    const wo = await loaders.workOrder.load(id);
    // Another customer's or tenant's work order answers exactly like a missing one.
    if (!wo || !(canSeeWorkOrder(identity, wo) || namedAsContact(identity, wo))) throw notFound('Work order');
    return wo;
  },

  workOrderQueue: async (_: unknown, args: PageArgs & { filter?: QueueFilter | null }, ctx: Context) => {
    const identity = requireStaff(ctx.identity);
    const { limit, after } = pageQuery(args);
    const f = args.filter ?? {};
    const and: Record<string, unknown>[] = [{ tenantId: new Types.ObjectId(identity.tenantId) }];
    if (f.status?.length) and.push({ status: { $in: f.status } });
    if (f.priority?.length) and.push({ priority: { $in: f.priority } });
    if (f.category?.length) and.push({ category: { $in: f.category } });
    if (f.type?.length) and.push({ type: { $in: f.type } });
    if (f.assigneeUid) and.push({ assigneeUid: f.assigneeUid });
    if (f.unassigned) and.push({ assigneeUid: { $exists: false } });
    if (f.text) {
      const t = f.text.trim();
      if (t.length > 100) throw badInput('text must be at most 100 characters.', 'text');
      if (t) {
        const re = new RegExp(escapeRegex(t), 'i');
        and.push({ $or: [{ title: re }, { number: re }] });
      }
    }
    if (after) and.push({ _id: { $lt: after } });
    const rows = await ctx.models.WorkOrder.find({ $and: and }).sort({ _id: -1 }).limit(limit + 1).lean();
    return toConnection(rows, limit);
  },

  activeOutages: async (_: unknown, __: unknown, ctx: Context) => {
    const identity = requireIdentity(ctx.identity);
    if (!identity.tenantId) return [];
    const filter: Record<string, unknown> = { tenantId: new Types.ObjectId(identity.tenantId), type: 'OUTAGE', status: { $in: ACTIVE_STATUSES } };
    if (identity.role === Role.CUSTOMER) filter.affectedCustomerIds = new Types.ObjectId(identity.customerId!);
    return ctx.models.WorkOrder.find(filter).sort({ _id: -1 }).limit(50).lean();
  },

  staffMembers: async (_: unknown, __: unknown, ctx: Context) => {
    const identity = requireStaff(ctx.identity);
    return ctx.services.staff.list(identity.tenantId);
  },

  callbackRequests: async (_: unknown, args: { status?: string | null; first?: number | null }, ctx: Context) => {
    const identity = requireStaff(ctx.identity);
    const { limit } = pageQuery({ first: args.first });
    const filter: Record<string, unknown> = { tenantId: new Types.ObjectId(identity.tenantId) };
    if (args.status) filter.status = args.status;
    return ctx.models.CallbackRequest.find(filter).sort({ _id: -1 }).limit(limit).lean();
  },
};

