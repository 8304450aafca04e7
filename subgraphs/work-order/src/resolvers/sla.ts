import { addBusinessMinutes, codedError, DEFAULT_SLA_POLICY, ErrorCode, forbidden, isStaff, Role, slaPolicyProblems, type Identity, type Logger, type SlaPolicyValue, type SlaPriority } from '@wisp/shared';
import { startConsumer, type Consumer, type EventLog, type PayloadOf } from '@wisp/events';
import { Types, type Connection } from 'mongoose';
import type { Context } from '../context.ts';
import { requireStaff, type WorkOrderRow } from './workOrderOps.ts';

/** A tenant's policy as its clocks use it: business hours, targets and the zone they are read in. */
export interface EffectivePolicy extends SlaPolicyValue {
  timeZone: string;
  custom: boolean;
}

/** Statuses in which support owes the customer its next word. Waiting on the customer stops that clock. */
const SUPPORT_OWES = new Set(['OPEN', 'IN_PROGRESS', 'SCHEDULED', 'EN_ROUTE', 'ON_SITE']);
const FINISHED = new Set(['RESOLVED', 'CLOSED', 'CANCELLED']);

const policies = new WeakMap<object, Map<string, Promise<EffectivePolicy>>>();

/** The tenant's policy, read once per request; the defaults until an admin sets one. */
export function policyFor(ctx: Context, tenantId: string): Promise<EffectivePolicy> {
  let perRequest = policies.get(ctx);
  if (!perRequest) policies.set(ctx, (perRequest = new Map()));
  let p = perRequest.get(tenantId);
  if (!p) {
    p = (async () => {
      const [doc, tenant] = await Promise.all([ctx.models.SlaPolicy.findById(tenantId).lean(), ctx.services.tenants.get(tenantId)]);
      const timeZone = tenant?.branding.timeZone || 'UTC';
      if (!doc) return { ...DEFAULT_SLA_POLICY, timeZone, custom: false };
      // A priority the tenant left out keeps the default target.
      const targets = DEFAULT_SLA_POLICY.targets.map((d) => doc.targets.find((t) => t.priority === d.priority) ?? d);
      return { businessHours: doc.businessHours.map((w) => ({ day: w.day, open: w.open, close: w.close })), targets, timeZone, custom: true };
    })();
    perRequest.set(tenantId, p);
  }
  return p;
}

type ClockKind = 'FIRST_RESPONSE' | 'NEXT_UPDATE' | 'RESOLUTION';

export interface TicketSla {
  firstResponseDue: string | null;
  firstResponseAt: string | null;
  nextUpdateDue: string | null;
  resolutionDue: string | null;
  resolvedAt: string | null;
  next: { kind: ClockKind; dueAt: string; overdue: boolean } | null;
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/** The ticket's clocks under its tenant's policy; null for outages (many customers, no one conversation). */
export async function ticketSla(ctx: Context, wo: WorkOrderRow, now = new Date()): Promise<TicketSla | null> {
  if (wo.type === 'OUTAGE') return null;
  const policy = await policyFor(ctx, String(wo.tenantId));
  const target = policy.targets.find((t) => t.priority === (wo.priority as SlaPriority))!;
  const add = (from: Date, minutes: number) => addBusinessMinutes(from, minutes, policy.businessHours, policy.timeZone);
  const firstResponseDue = add(wo.createdAt, target.firstResponseMinutes);
  const resolutionDue = add(wo.createdAt, target.resolutionMinutes);
  const lastWord = wo.lastUpdateAt ?? wo.firstResponseAt;
  const nextUpdateDue = wo.firstResponseAt && lastWord && SUPPORT_OWES.has(wo.status) ? add(new Date(lastWord), target.nextUpdateMinutes) : null;
  const running: { kind: ClockKind; due: Date }[] = [];
  if (!FINISHED.has(wo.status)) {
    if (!wo.firstResponseAt && firstResponseDue) running.push({ kind: 'FIRST_RESPONSE', due: firstResponseDue });
    if (nextUpdateDue) running.push({ kind: 'NEXT_UPDATE', due: nextUpdateDue });
    if (resolutionDue) running.push({ kind: 'RESOLUTION', due: resolutionDue });
  }
  running.sort((a, b) => a.due.getTime() - b.due.getTime());
  const next = running[0];
  return {
    firstResponseDue: iso(firstResponseDue),
    firstResponseAt: iso(wo.firstResponseAt),
    nextUpdateDue: iso(nextUpdateDue),
    resolutionDue: iso(resolutionDue),
    resolvedAt: iso(wo.resolvedAt),
    next: next ? { kind: next.kind, dueAt: next.due.toISOString(), overdue: next.due.getTime() < now.getTime() } : null,
  };
}

const isReporter = (identity: Identity | null, wo: WorkOrderRow) =>
  identity?.role === Role.CUSTOMER && !!wo.reporterCustomerId && String(wo.reporterCustomerId) === identity.customerId;

export const slaFields = {
  sla: (wo: WorkOrderRow, _: unknown, ctx: Context) => (isStaff(ctx.identity) ? ticketSla(ctx, wo) : null),
  /** What the reporter is promised: support's next word by then at the latest, while support owes one. */
  nextUpdateBy: async (wo: WorkOrderRow, _: unknown, ctx: Context) => {
    if (!isReporter(ctx.identity, wo) || !SUPPORT_OWES.has(wo.status)) return null;
    const sla = await ticketSla(ctx, wo);
    return (wo.firstResponseAt ? sla?.nextUpdateDue : sla?.firstResponseDue) ?? null;
  },
};

const policyAnswer = (p: EffectivePolicy) => ({ ...p });

interface SlaPolicyInput {
  businessHours: { day: number; open: string; close: string }[];
  targets: { priority: SlaPriority; firstResponseMinutes: number; nextUpdateMinutes: number; resolutionMinutes: number }[];
}

export const slaQueries = {
  slaPolicy: async (_: unknown, __: unknown, ctx: Context) => policyAnswer(await policyFor(ctx, requireStaff(ctx.identity).tenantId)),
};

export const slaMutations = {
  updateSlaPolicy: async (_: unknown, { input }: { input: SlaPolicyInput }, ctx: Context) => {
    const who = requireStaff(ctx.identity);
    if (who.role !== Role.TENANT_ADMIN) throw forbidden('Only tenant admins set service levels.');
    const problems = slaPolicyProblems(input);
    if (problems.length) {
      throw codedError(ErrorCode.BAD_USER_INPUT, problems[0]!.message, { field: problems[0]!.field, problems });
    }
    await ctx.models.SlaPolicy.updateOne(
      { _id: who.tenantId },
      { $set: { businessHours: input.businessHours, targets: input.targets, updatedByUid: who.uid } },
      { upsert: true },
    );
    policies.delete(ctx);
    return policyAnswer(await policyFor(ctx, who.tenantId));
  },
};

/**
 * Keeps each ticket's response clocks from messaging's events: support's first public reply and
 * its latest one. Idempotent: a redelivered event sets the same first reply and never moves the
 * latest one back.
 */
export function startSlaClock(conn: Connection, events: EventLog, logger: Logger): Promise<Consumer> {
  const WorkOrder = conn.models.WorkOrder!;
  return startConsumer({
    name: 'work-order.sla-clock',
    conn,
    log: events,
    types: ['message.created'],
    logger,
    handle: async (event) => {
      const p = event.payload as PayloadOf<'message.created'>;
      if (p.authorKind !== 'AGENT' || p.internal || !Types.ObjectId.isValid(p.workOrderId)) return;
      const _id = new Types.ObjectId(p.workOrderId);
      const tenantId = new Types.ObjectId(event.tenantId);
      await WorkOrder.updateOne({ _id, tenantId, firstResponseAt: null }, { $set: { firstResponseAt: event.at } });
      await WorkOrder.updateOne({ _id, tenantId }, { $max: { lastUpdateAt: event.at } });
    },
  });
}
