import { AccountRole, actingRole, Role, unauthenticated } from '@wisp/shared';
import type { Context } from '../context.ts';

export const Viewer = {
  __resolveReference: ({ uid }: { uid: string }, { identity }: Context) => (identity && identity.uid === uid ? { uid } : null),

  customer: async (_: { uid: string }, __: unknown, { identity, loaders }: Context) => {
    if (identity?.role !== Role.CUSTOMER || !identity.customerId) return null;
    const customer = await loaders.customer.load(identity.customerId);
    if (!customer || String(customer.tenantId) !== identity.tenantId) return null;
    // Revocation takes effect here at once, even while the gateway still trusts a cached token.
    if (customer.portal?.status === 'REVOKED' && actingRole(identity) === AccountRole.OWNER) throw unauthenticated('This login has been disabled.');
    return customer;
  },
};
