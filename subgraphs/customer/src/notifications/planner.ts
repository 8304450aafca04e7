import type { EventType, Known, PayloadOf, StoredEvent } from '@wisp/events';
import { isDuplicateKey, type TenantInfo } from '@wisp/shared';
import { Types } from 'mongoose';
import type { Models } from '../models/index.ts';
import type { NotificationRow } from '../models/Notification.ts';
import { decide, timeZoneOf, type Category, type Channel, type PreferenceFacts } from './preferences.ts';
import { quietHoursEnd } from './timeWords.ts';

/** Options of the planner. */
export interface PlannerOptions {
  /** Changes to one ticket within this window go out as one message. @default 2 minutes */
  groupWindowMs?: number;
  /** How long before a visit the reminder goes. @default 24 hours */
  reminderLeadMs?: number;
  now?: () => Date;
}

export interface PlannerDeps {
  models: Pick<Models, 'Customer' | 'Notification' | 'NotificationTicket'>;
  tenants: { get: (tenantId: string) => Promise<TenantInfo | null> };
  /** The ticket's published state, for events that do not carry it (messages, call-backs). */
  workOrder: (tenantId: string, id: string) => Promise<Known<'WorkOrder'> | null>;
}

/** The event types notifications are made from. */
export const NOTIFYING_EVENTS: EventType[] = [
  'ticket.created',
  'ticket.statusChanged',
  'ticket.visitScheduled',
  'visit.booked',
  'visit.rescheduled',
  'visit.cancelled',
  'visit.enRoute',
  'visit.onSite',
  'ticket.etaChanged',
  'outage.created',
  'outage.updated',
  'callback.requested',
  'message.created',
];

/** One thing to tell: which customers, by which channels, with which facts. */
interface Plan {
  kind: string;
  category: Category;
  channels: Channel[];
  customerIds: string[];
  workOrderId: string | null;
  facts: Record<string, unknown>;
  /** A fixed time (reminders); else the group's window. */
  dueAt?: Date;
  /** Stage-wide ids (outage texts: one per outage, stage and customer). */
  idFor?: (customerId: string, channel: Channel) => string | null;
}

/** Statuses a customer hears about, and by which channels (closing is worth an email, not a text). */
const TOLD_STATUSES: Record<string, { category: Category; channels: Channel[] }> = {
  WAITING_ON_CUSTOMER: { category: 'TICKETS', channels: ['EMAIL', 'SMS'] },
  EN_ROUTE: { category: 'VISITS', channels: ['EMAIL', 'SMS'] },
  RESOLVED: { category: 'TICKETS', channels: ['EMAIL', 'SMS'] },
  CLOSED: { category: 'TICKETS', channels: ['EMAIL'] },
};

const PREFERENCE_FIELDS = { email: 1, phone: 1, portal: 1, contactPreferences: 1, notificationSettings: 1, name: 1 } as const;

type Target = PreferenceFacts & { _id: Types.ObjectId; name?: string };

/**
 * Turns events into notification rows: who is told what, by which channel, and when. Rows are
 * keyed by event, customer and channel, so an event planned twice is stored once; preferences
 * decide here (a skipped message is recorded with its reason) and again when it is sent.
 */
export function createPlanner(deps: PlannerDeps, options: PlannerOptions = {}) {
  const groupWindowMs = options.groupWindowMs ?? 2 * 60_000;
  const reminderLeadMs = options.reminderLeadMs ?? 24 * 3600_000;
  const now = options.now ?? (() => new Date());
  const { Customer, Notification, NotificationTicket } = deps.models;

  const ticketFacts = (state: Record<string, unknown> | null | undefined) => ({ number: String(state?.number ?? ''), title: String(state?.title ?? '') });

  async function stateOf(event: StoredEvent, workOrderId: string | null) {
    if (event.entity === 'WorkOrder' && event.state) return event.state;
    return workOrderId ? await deps.workOrder(event.tenantId, workOrderId) : null;
  }

  /** The customers served from a site (cancelled services left out), with any named ones. */
  async function outageAudience(tenantId: string, site: string | null, named: string[]): Promise<string[]> {
    const ids = new Set(named);
    if (site) {
      const at = await Customer.find({ tenantId: new Types.ObjectId(tenantId), site, serviceStatus: { $ne: 'CANCELLED' } }, { _id: 1 }).lean();
      for (const c of at) ids.add(String(c._id));
    }
    return [...ids];
  }

  async function plansFor(event: StoredEvent): Promise<Plan[]> {
    const p = event.payload as Record<string, unknown>;
    const reporter = typeof p.reporterCustomerId === 'string' ? [p.reporterCustomerId] : [];
    const workOrderId = event.workOrderId ?? null;
    switch (event.type) {
      case 'ticket.created': {
        if (event.outage) return [];
        return [{ kind: 'ticket-received', category: 'TICKETS', channels: ['EMAIL'], customerIds: reporter, workOrderId, facts: ticketFacts(event.state) }];
      }
      case 'message.created': {
        const m = p as PayloadOf<'message.created'>;
        // Only a public reply by staff: never an internal note, the customer's own words or a status line.
        if (m.internal || event.internal || m.authorKind !== 'AGENT' || event.outage) return [];
        const state = await stateOf(event, m.workOrderId);
        if (!state) return [];
        const to = typeof state.reporterCustomerId === 'string' ? [state.reporterCustomerId] : [];
        return [{ kind: 'staff-reply', category: 'TICKETS', channels: ['EMAIL'], customerIds: to, workOrderId: m.workOrderId, facts: { ...ticketFacts(state), excerpt: m.excerpt ?? '', author: m.authorName ?? '', attachments: m.attachmentCount } }];
      }
      case 'ticket.statusChanged': {
        const s = p as PayloadOf<'ticket.statusChanged'>;
        if (event.outage) {
          if (s.to !== 'RESOLVED') return [];
          const memo = workOrderId ? await NotificationTicket.findById(workOrderId).lean() : null;
          const customerIds = await outageAudience(event.tenantId, memo?.site ?? null, s.affectedCustomerIds);
          return [outagePlan('outage-resolved', 'resolved', customerIds, workOrderId, ticketFacts(event.state), ['EMAIL', 'SMS'])];
        }
        const told = TOLD_STATUSES[s.to];
        if (!told) return [];
        return [{ kind: 'status-changed', category: told.category, channels: told.channels, customerIds: reporter, workOrderId, facts: { ...ticketFacts(event.state), status: s.to } }];
      }
      case 'ticket.etaChanged': {
        const e = p as PayloadOf<'ticket.etaChanged'>;
        if (!e.eta || event.outage) return [];
        return [{ kind: 'eta-changed', category: 'VISITS', channels: ['EMAIL', 'SMS'], customerIds: reporter, workOrderId, facts: { ...ticketFacts(event.state), eta: e.eta } }];
      }
      case 'ticket.visitScheduled':
      case 'visit.booked':
      case 'visit.rescheduled':
      case 'visit.cancelled':
        // A booked visit is told, moved and reminded of like one staff scheduled.
        return visitPlans(event, reporter);
      case 'visit.enRoute': {
        const e = p as PayloadOf<'visit.enRoute'>;
        if (event.outage) return [];
        return [{ kind: 'visit-en-route', category: 'VISITS', channels: ['EMAIL', 'SMS'], customerIds: reporter, workOrderId, facts: { ...ticketFacts(event.state), eta: e.eta } }];
      }
      case 'visit.onSite':
        if (event.outage) return [];
        return [{ kind: 'visit-on-site', category: 'VISITS', channels: ['EMAIL'], customerIds: reporter, workOrderId, facts: ticketFacts(event.state) }];
      case 'outage.created': {
        const o = p as PayloadOf<'outage.created'>;
        if (workOrderId) {
          await NotificationTicket.updateOne({ _id: workOrderId }, { $set: { tenantId: event.tenantId, site: o.site ?? null } }, { upsert: true });
        }
        const customerIds = await outageAudience(event.tenantId, o.site ?? null, o.affectedCustomerIds);
        if (o.plannedWindow) {
          const facts = { ...ticketFacts(event.state), start: o.plannedWindow.start, end: o.plannedWindow.end };
          return [outagePlan('maintenance-planned', 'planned', customerIds, workOrderId, facts, ['EMAIL', 'SMS'])];
        }
        return [outagePlan('outage-created', 'created', customerIds, workOrderId, ticketFacts(event.state), ['EMAIL', 'SMS'])];
      }
      case 'outage.updated': {
        const o = p as PayloadOf<'outage.updated'>;
        const memo = workOrderId ? await NotificationTicket.findById(workOrderId).lean() : null;
        const customerIds = await outageAudience(event.tenantId, memo?.site ?? null, o.affectedCustomerIds);
        // Texts only when an outage starts and ends (as status pages do); updates go by email.
        return [{ kind: 'outage-updated', category: 'OUTAGES', channels: ['EMAIL'], customerIds, workOrderId, facts: { ...ticketFacts(event.state), body: o.body, eta: o.eta } }];
      }
      case 'callback.requested': {
        const c = p as PayloadOf<'callback.requested'>;
        const state = c.workOrderId ? await stateOf(event, c.workOrderId) : null;
        return [{ kind: 'callback-confirmed', category: 'TICKETS', channels: ['EMAIL', 'SMS'], customerIds: [c.customerId], workOrderId: c.workOrderId, facts: { ...ticketFacts(state), time: c.preferredTime, phone: c.phone ?? null } }];
      }
      default:
        return [];
    }
  }

  function outagePlan(kind: string, stage: string, customerIds: string[], workOrderId: string | null, facts: Record<string, unknown>, channels: Channel[]): Plan {
    return {
      kind,
      category: 'OUTAGES',
      channels,
      customerIds,
      workOrderId,
      facts,
      // At most one text per outage, stage and customer, whatever events repeat it.
      idFor: (customerId, channel) => (channel === 'SMS' && workOrderId ? `outage:${workOrderId}:${stage}:${customerId}:SMS` : null),
    };
  }

  async function visitPlans(event: StoredEvent, reporter: string[]): Promise<Plan[]> {
    const v = event.payload as PayloadOf<'ticket.visitScheduled'>;
    const workOrderId = event.workOrderId;
    if (!workOrderId || event.outage) return [];
    const start = v.windowStart ? new Date(v.windowStart) : null;
    const end = v.windowEnd ? new Date(v.windowEnd) : null;
    const memo = await NotificationTicket.findById(workOrderId).lean();
    // A redelivered event finds itself remembered already (its rows are stored too).
    const replay = memo?.seq != null && memo.seq >= event.seq;
    if (!replay) {
      await NotificationTicket.updateOne({ _id: workOrderId }, { $set: { tenantId: event.tenantId, windowStart: start, windowEnd: end, seq: event.seq } }, { upsert: true }).catch((err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
      });
    }
    const previous = replay ? null : (memo?.windowStart ?? null);
    // An older reminder no longer holds once the visit moves or is cancelled.
    await Notification.updateMany(
      { workOrderId, kind: 'visit-reminder', status: { $in: ['SCHEDULED', 'DEFERRED'] }, messageKey: null, 'facts.start': { $ne: start?.toISOString() ?? null } },
      { $set: { status: 'SKIPPED', reason: start ? 'The visit moved' : 'The visit was cancelled' } },
    );
    const facts = { ...ticketFacts(event.state), start: start?.toISOString() ?? null, end: end?.toISOString() ?? null };
    if (!start) return previous ? [{ kind: 'visit-cancelled', category: 'VISITS', channels: ['EMAIL', 'SMS'], customerIds: reporter, workOrderId, facts }] : [];
    const moved = previous && previous.getTime() !== start.getTime();
    const plans: Plan[] = [{ kind: moved ? 'visit-rescheduled' : 'visit-scheduled', category: 'VISITS', channels: ['EMAIL', 'SMS'], customerIds: reporter, workOrderId, facts }];
    const remindAt = new Date(start.getTime() - reminderLeadMs);
    if (remindAt.getTime() > now().getTime() + groupWindowMs) {
      plans.push({
        kind: 'visit-reminder',
        category: 'VISITS',
        channels: ['EMAIL', 'SMS'],
        customerIds: reporter,
        workOrderId,
        facts,
        dueAt: remindAt,
        idFor: (customerId, channel) => `visit-reminder:${workOrderId}:${start.toISOString()}:${customerId}:${channel}`,
      });
    }
    return plans;
  }

  /** When a new row of a group may go: with the group's pending message, else after the window. */
  async function groupDue(groupKey: string, at: Date): Promise<Date> {
    // Only a message about to go (not a reminder due days from now) takes the row along.
    const open = await Notification.findOne({ groupKey, status: 'SCHEDULED', messageKey: null, dueAt: { $gte: at, $lte: new Date(at.getTime() + groupWindowMs) } }, { dueAt: 1 }).sort({ dueAt: 1 }).lean();
    return open?.dueAt ?? new Date(at.getTime() + groupWindowMs);
  }

  async function rowsFor(event: StoredEvent, plan: Plan, tenant: TenantInfo | null): Promise<Partial<NotificationRow>[]> {
    const ids = plan.customerIds.filter((id) => Types.ObjectId.isValid(id));
    if (!ids.length) return [];
    const customers = await Customer.find({ _id: { $in: ids }, tenantId: new Types.ObjectId(event.tenantId) }, PREFERENCE_FIELDS).lean<Target[]>();
    const at = now();
    const rows: Partial<NotificationRow>[] = [];
    const dueOfGroup = new Map<string, Date>();
    for (const c of customers) {
      const customerId = String(c._id);
      for (const channel of plan.channels) {
        const verdict = decide(c, channel, plan.category);
        // Someone who never opted in to texts has nothing to record about them.
        if (!verdict.ok && channel === 'SMS' && !c.contactPreferences?.sms) continue;
        const groupKey = `${plan.workOrderId ?? `customer-${customerId}`}:${customerId}:${channel}`;
        let dueAt = plan.dueAt;
        if (!dueAt) {
          // A large fan-out (an outage) opens new groups: only a ticket's own rows look for one.
          dueAt = dueOfGroup.get(groupKey) ?? (customers.length > 1 ? new Date(at.getTime() + groupWindowMs) : await groupDue(groupKey, at));
          dueOfGroup.set(groupKey, dueAt);
        }
        const base = {
          _id: plan.idFor?.(customerId, channel) ?? `${event.id}:${customerId}:${channel}`,
          tenantId: event.tenantId,
          customerId,
          workOrderId: plan.workOrderId,
          channel,
          category: plan.category,
          kind: plan.kind,
          facts: plan.facts,
          groupKey,
          dueAt,
        };
        if (!verdict.ok) {
          rows.push({ ...base, status: 'SKIPPED', reason: verdict.reason });
          continue;
        }
        const quiet = channel === 'SMS' || c.notificationSettings?.deferEmailInQuietHours ? quietHoursEnd(dueAt, c.notificationSettings?.quietHours as never, timeZoneOf(c, tenant)) : null;
        rows.push(quiet ? { ...base, to: verdict.to, status: 'DEFERRED', dueAt: quiet, reason: 'Quiet hours' } : { ...base, to: verdict.to, status: 'SCHEDULED' });
      }
    }
    return rows;
  }

  return {
    /** Plans the notifications of one event; planning it again adds nothing. */
    async plan(event: StoredEvent): Promise<number> {
      const plans = await plansFor(event);
      if (!plans.length) return 0;
      const tenant = await deps.tenants.get(event.tenantId);
      if (!tenant || tenant.status !== 'ACTIVE') return 0;
      let stored = 0;
      for (const plan of plans) {
        const rows = await rowsFor(event, plan, tenant);
        if (!rows.length) continue;
        try {
          stored += (await Notification.insertMany(rows, { ordered: false })).length;
        } catch (err) {
          // Rows planned before (a redelivered event) are already there; anything else is a failure.
          const write = err as { writeErrors?: { code?: number; err?: { code?: number } }[]; insertedDocs?: unknown[] };
          if (!write.writeErrors?.every((e) => (e.code ?? e.err?.code) === 11000) && !isDuplicateKey(err)) throw err;
          stored += write.insertedDocs?.length ?? 0;
        }
      }
      return stored;
    },
  };
}

export type Planner = ReturnType<typeof createPlanner>;
