import { isStaff, namedAsContact, Role, type Identity } from '@wisp/shared';
import type { Context } from '../context.ts';
import { TRANSITIONS, type Status } from '../transitions.ts';
import { canSeeWorkOrder } from './access.ts';
import { reopenWindowMs } from './triage.ts';
import type { WorkOrderRow } from './workOrderOps.ts';

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

const isReporter = (identity: Identity | null, wo: WorkOrderRow) =>
  identity?.role === Role.CUSTOMER && !!wo.reporterCustomerId && String(wo.reporterCustomerId) === identity.customerId;
/** Staff, or the customer who reported it: who may see a ticket's private details. */
const staffOnly = (identity: Identity | null) => identity?.role === Role.PLATFORM_OPERATOR || isStaff(identity);
const reporterOrStaff = (identity: Identity | null, wo: WorkOrderRow) => staffOnly(identity) || isReporter(identity, wo);

export const WorkOrder = {
  __resolveReference: async ({ id }: { id: string }, { identity, loaders }: Context) => {
    const wo = await loaders.workOrder.load(id);
    return wo && (canSeeWorkOrder(identity, wo) || namedAsContact(identity, wo)) ? wo : null;
  },
  id: (wo: WorkOrderRow) => String(wo._id),
  // A customer affected by someone else's ticket or an outage never learns who reported it.
  customer: (wo: WorkOrderRow, _: unknown, { identity }: Context) => {
    if (!wo.reporterCustomerId) return null;
    if (identity?.role === Role.CUSTOMER && String(wo.reporterCustomerId) !== identity.customerId) return null;
    return { id: String(wo.reporterCustomerId) };
  },
  allowedTransitions: (wo: WorkOrderRow, _: unknown, { identity }: Context) => (staffOnly(identity) ? TRANSITIONS[wo.status as Status] ?? [] : []),
  contact: (wo: WorkOrderRow, _: unknown, { identity }: Context) => (reporterOrStaff(identity, wo) ? (wo.contact ?? null) : null),
  affectedCustomers: (wo: WorkOrderRow, _: unknown, { identity }: Context) =>
    staffOnly(identity) ? (wo.affectedCustomerIds ?? []).map((id) => ({ id: String(id) })) : null,
  affectedCount: (wo: WorkOrderRow, _: unknown, { identity }: Context) => (staffOnly(identity) ? (wo.affectedCustomerIds ?? []).length : null),
  assignee: (wo: WorkOrderRow, _: unknown, { identity }: Context) =>
    staffOnly(identity) && wo.assigneeUid ? { uid: wo.assigneeUid, name: wo.assigneeName ?? 'Agent', email: null, role: 'AGENT' } : null,
  visitWindow: (wo: WorkOrderRow) => (wo.visitWindow?.start && wo.visitWindow.end ? { start: iso(wo.visitWindow.start), end: iso(wo.visitWindow.end) } : null),
  // An outage shows a customer only its title, status, ETA and public updates.
  timeline: (wo: WorkOrderRow, _: unknown, { identity }: Context) =>
    reporterOrStaff(identity, wo)
      ? (wo.timeline ?? []).map((t) => ({
          from: t.from ?? null,
          to: t.to,
          at: iso(t.at),
          byName: t.byName ?? 'Support',
          note: t.note ?? null,
          change: t.change?.field ? { field: t.change.field, from: t.change.from ?? null, to: t.change.to ?? null } : null,
        }))
      : null,
  reopenableUntil: (wo: WorkOrderRow, _: unknown, { identity }: Context) => {
    if (!isReporter(identity, wo) || wo.status !== 'RESOLVED' || !wo.resolvedAt) return null;
    const until = new Date(new Date(wo.resolvedAt).getTime() + reopenWindowMs());
    return until.getTime() > Date.now() ? until.toISOString() : null;
  },
  callbacks: (wo: WorkOrderRow, _: unknown, { identity, loaders }: Context) => (reporterOrStaff(identity, wo) ? loaders.callbacksByWorkOrder.load(String(wo._id)) : null),
  description: (wo: WorkOrderRow, _: unknown, { identity }: Context) => (wo.type === 'OUTAGE' || reporterOrStaff(identity, wo) ? wo.description : ''),
  serviceSnapshot: (wo: WorkOrderRow, _: unknown, { identity }: Context) => {
    const s = wo.serviceSnapshot;
    if (!s || !reporterOrStaff(identity, wo)) return null;
    return { ...s, lastSeenAt: iso(s.lastSeenAt), takenAt: iso(s.takenAt) ?? iso(wo.createdAt) };
  },
  publicUpdates: (wo: WorkOrderRow) => (wo.publicUpdates ?? []).map((u) => ({ body: u.body, at: iso(u.at), byName: u.byName ?? 'Support' })),
  rating: (wo: WorkOrderRow, _: unknown, { identity }: Context) =>
    wo.rating?.score && reporterOrStaff(identity, wo) ? { score: wo.rating.score, comment: wo.rating.comment ?? null, at: iso(wo.rating.at) } : null,
  eta: (wo: WorkOrderRow) => iso(wo.eta),
  createdAt: (wo: WorkOrderRow) => iso(wo.createdAt),
  updatedAt: (wo: WorkOrderRow) => iso(wo.updatedAt),
  resolvedAt: (wo: WorkOrderRow) => iso(wo.resolvedAt),
  statusSince: (wo: WorkOrderRow) => {
    // Field edits are timeline entries too, but they leave the status where it was.
    const moves = (wo.timeline ?? []).filter((t) => !t.change?.field && t.to === wo.status);
    return iso(moves.at(-1)?.at ?? wo.createdAt);
  },
};

export const CallbackRequest = {
  id: (r: { _id: unknown }) => String(r._id),
  // WorkOrder is this subgraph's own entity: a bare `{ id }` would leave its fields unresolved.
  workOrder: async (r: { workOrderId?: unknown }, _: unknown, { identity, loaders }: Context) => {
    if (!r.workOrderId) return null;
    const wo = await loaders.workOrder.load(String(r.workOrderId));
    return wo && canSeeWorkOrder(identity, wo) ? wo : null;
  },
  preferredTime: (r: { preferredTime: Date }) => iso(r.preferredTime),
  createdAt: (r: { createdAt: Date }) => iso(r.createdAt),
  customer: (r: { customerId: unknown }, _: unknown, { identity }: Context) => (staffOnly(identity) ? { id: String(r.customerId) } : null),
};

