import type { Types } from 'mongoose';
import type { Context } from '../context.ts';
import type { CustomerDoc } from '../models/index.ts';
import { canSeeCustomer } from './access.ts';

type CustomerRow = CustomerDoc & { _id: Types.ObjectId };
const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export const Customer = {
  __resolveReference: async ({ id }: { id: string }, { identity, loaders }: Context) => {
    const customer = await loaders.customer.load(id);
    return customer && canSeeCustomer(identity, customer) ? customer : null;
  },
  id: (c: CustomerRow) => String(c._id),
  tenant: (c: CustomerRow) => ({ id: String(c.tenantId) }),
  plan: (c: CustomerRow) => (c.plan?.name ? c.plan : null),
  equipment: (c: CustomerRow) =>
    c.equipment.map((e) => ({ ...e, installedAt: iso(e.installedAt), lastSeenAt: iso(e.lastSeenAt) })),
};
