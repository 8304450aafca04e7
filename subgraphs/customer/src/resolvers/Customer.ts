import { Role } from '@wisp/shared';
import type { Types } from 'mongoose';
import type { Context } from '../context.ts';
import type { CustomerDoc } from '../models/index.ts';
import { jobId } from '../portal/worker.ts';
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
  contactPreferences: (c: CustomerRow) => ({ email: c.contactPreferences?.email ?? true, sms: c.contactPreferences?.sms ?? false }),
  installHistory: (c: CustomerRow) => (c.installHistory ?? []).map((h) => ({ ...h, at: iso(h.at) })),
  portalAccess: (c: CustomerRow) => c,
};

/** `PortalAccess` resolves from the customer row it belongs to. */
export const PortalAccess = {
  status: (c: CustomerRow) => c.portal?.status ?? 'NONE',
  email: (c: CustomerRow) => c.portal?.email ?? c.email ?? null,
  createdAt: (c: CustomerRow) => iso(c.portal?.createdAt),
  lastLoginAt: (c: CustomerRow) => iso(c.portal?.lastLoginAt),
  revokedAt: (c: CustomerRow) => iso(c.portal?.revokedAt),
  lastError: (c: CustomerRow, _: unknown, { identity }: Context) => (identity && identity.role !== Role.CUSTOMER ? (c.portal?.lastError ?? null) : null),
  lastErrorAt: (c: CustomerRow) => iso(c.portal?.lastErrorAt),
  provisioningPending: async (c: CustomerRow, _: unknown, { loaders }: Context) => {
    const job = await loaders.provisioningJob.load(jobId(String(c._id)));
    return !!job && (job.status === 'PENDING' || job.status === 'RUNNING');
  },
};
