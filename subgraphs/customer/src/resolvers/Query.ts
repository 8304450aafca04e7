import { notFound, unauthenticated } from '@wisp/shared';
import type { Context } from '../context.ts';
import { canSeeCustomer } from './access.ts';

export const Query = {
  customer: async (_: unknown, { id }: { id: string }, { identity, loaders }: Context) => {
    if (!identity) throw unauthenticated();
    const customer = await loaders.customer.load(id);
    // Someone else's record answers exactly like a missing one.
    if (!customer || !canSeeCustomer(identity, customer)) throw notFound('Customer');
    return customer;
  },
};
