import { notFound, unauthenticated } from '@wisp/shared';
import type { Context } from '../context.ts';
import { canSeeWorkOrder } from './access.ts';

export const Query = {
  workOrder: async (_: unknown, { id }: { id: string }, { identity, loaders }: Context) => {
    if (!identity) throw unauthenticated();
    const wo = await loaders.workOrder.load(id);
    // Another customer's or tenant's work order answers exactly like a missing one.
    if (!wo || !canSeeWorkOrder(identity, wo)) throw notFound('Work order');
    return wo;
  },
};
