import type { Types } from 'mongoose';
import type { Context } from '../context.ts';
import type { TenantDoc } from '../models/index.ts';
import { canSeeTenant } from './access.ts';

type TenantRow = TenantDoc & { _id: Types.ObjectId };

export const Tenant = {
  __resolveReference: async ({ id }: { id: string }, { identity, loaders }: Context) => {
    if (!canSeeTenant(identity, id)) return null;
    return loaders.tenant.load(id);
  },
  id: (t: TenantRow) => String(t._id),
  branding: (t: TenantRow) => ({ ...t.branding, version: t.brandingVersion ?? 0 }),
};
