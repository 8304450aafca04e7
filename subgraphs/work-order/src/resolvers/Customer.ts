import { forbidden, isObjectId, linkTo, pageQuery, Role, toConnection, unauthenticated, type PageArgs } from '@wisp/shared';
import type { Types } from 'mongoose';
import type { Context } from '../context.ts';

export const Customer = {
  tickets: async ({ id }: { id: string }, args: PageArgs & { status?: string[] | null; category?: string[] | null; priority?: string[] | null }, { identity, loaders }: Context) => {
    if (!identity) throw unauthenticated();
    // A customer lists the tickets of any account their login is linked to (a property manager's combined view).
    if (identity.role === Role.CUSTOMER && !linkTo(identity, id)) throw forbidden();
    const { limit, after } = pageQuery(args);
    if (!isObjectId(id)) return toConnection([], limit);
    const rows = (await loaders.ticketPages.load({ customerId: id, limit, after: after ? String(after) : null, status: args.status ?? null, category: args.category ?? null, priority: args.priority ?? null })) as {
      _id: Types.ObjectId;
    }[];
    return toConnection(rows, limit);
  },
};
