import { Role } from '@wisp/shared';
import type { Context } from '../context.ts';

export const Viewer = {
  __resolveReference: ({ uid }: { uid: string }, { identity }: Context) => (identity && identity.uid === uid ? { uid } : null),

  customer: async (_: { uid: string }, __: unknown, { identity, loaders }: Context) => {
    if (identity?.role !== Role.CUSTOMER || !identity.customerId) return null;
    const customer = await loaders.customer.load(identity.customerId);
    return customer && String(customer.tenantId) === identity.tenantId ? customer : null;
  },
};
