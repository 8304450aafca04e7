import { Role } from '@wisp/shared';
import type { Types } from 'mongoose';
import type { Context } from '../context.ts';
import type { WorkOrderDoc } from '../models/index.ts';
import { canSeeWorkOrder } from './access.ts';

type WorkOrderRow = WorkOrderDoc & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };
const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

export const WorkOrder = {
  __resolveReference: async ({ id }: { id: string }, { identity, loaders }: Context) => {
    const wo = await loaders.workOrder.load(id);
    return wo && canSeeWorkOrder(identity, wo) ? wo : null;
  },
  id: (wo: WorkOrderRow) => String(wo._id),
  // A customer affected by someone else's ticket or an outage never learns who reported it.
  customer: (wo: WorkOrderRow, _: unknown, { identity }: Context) => {
    if (!wo.reporterCustomerId) return null;
    if (identity?.role === Role.CUSTOMER && String(wo.reporterCustomerId) !== identity.customerId) return null;
    return { id: String(wo.reporterCustomerId) };
  },
  eta: (wo: WorkOrderRow) => iso(wo.eta),
  createdAt: (wo: WorkOrderRow) => iso(wo.createdAt),
  updatedAt: (wo: WorkOrderRow) => iso(wo.updatedAt),
  resolvedAt: (wo: WorkOrderRow) => iso(wo.resolvedAt),
};
