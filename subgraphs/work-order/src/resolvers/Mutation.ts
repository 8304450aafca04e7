import { badInput, codedError, ErrorCode, forbidden, isObjectId, isStaff, notFound, Role, type Identity } from '@wisp/shared';
import { newEvent, PENDING_EVENTS, withEvents, type ChangeEvent } from '@wisp/events';
import { Types } from 'mongoose';
import type { Context } from '../context.ts';
import { actorName } from '../services.ts';
import { canTransition, TRANSITIONS, type Status } from '../transitions.ts';
import { date, isDuplicateKey, mutationId, optionalText, Problems, text } from './input.ts';
import { loadVisible, numberPrefix, requireCustomer, requireIdentity, requireStaff, saveChange, ticketEvent, type WorkOrderRow } from './workOrderOps.ts';

type Priority = 'LOW' | 'MEDIUM' | 'HIGH' | 'URGENT';

/** How far in the past a requested call-back time may lie and still count as "now". */
const CALLBACK_CLOCK_SLACK_MS = 5 * 60_000;

/** A call-back event; a request about no ticket is routed as its own work order id, as live updates expect. */
function callbackEvent(
  type: 'callback.requested' | 'callback.completed',
  kind: string,
  tenantId: string,
  requestId: Types.ObjectId,
  customerId: string,
  workOrderId: Types.ObjectId | null,
  extra: Record<string, unknown>,
): ChangeEvent {
  return newEvent(type, {
    tenantId,
    entityId: String(requestId),
    kind,
    workOrderId: String(workOrderId ?? requestId),
    customerIds: [customerId],
    internal: false,
    payload: { customerId, workOrderId: workOrderId ? String(workOrderId) : null, ...extra } as never,
  });
}

interface OpenTicketInput {
  title: string;
  description: string;
  category: string;
  clientMutationId: string;
  contactName?: string | null;
  contactPhone?: string | null;
  contactEmail?: string | null;
  customerId?: string | null;
  priority?: Priority | null;
}

interface CreateOutageInput {
  title: string;
  description: string;
  site?: string | null;
  customerIds?: string[] | null;
  eta?: string | null;
  priority?: Priority | null;
  plannedStart?: string | null;
  plannedEnd?: string | null;
  clientMutationId: string;
}

/**
 * Creates a work order with the tenant's next number, once per client mutation id. Numbers are
 * never reused: highest + 1 under a unique index, retried when another create took it first.
 */
async function createOnce(
  ctx: Context,
  identity: Identity,
  tenantId: string,
  fields: Record<string, unknown>,
  clientMutationId: string,
  /** The events of the creation, saved with the new document. */
  eventsFor: (wo: WorkOrderRow) => ChangeEvent[],
) {
  const { WorkOrder } = ctx.models;
  const tid = new Types.ObjectId(tenantId);
  const key = { tenantId: tid, createdByUid: identity.uid, clientMutationId };
  const existing = await WorkOrder.findOne(key).lean<WorkOrderRow>();
  if (existing) return { wo: existing, created: false };
  const tenant = await ctx.services.tenants.get(tenantId);
  const prefix = numberPrefix(tenant?.slug ?? 'wo');
  for (let attempt = 0; attempt < 30; attempt++) {
    const last = await WorkOrder.findOne({ tenantId: tid }, { seq: 1 }).sort({ seq: -1 }).lean<{ seq?: number }>();
    const seq = Math.max(1000, last?.seq ?? 1000) + 1;
    try {
      const _id = new Types.ObjectId();
      const draft = { ...fields, ...key, _id, seq, number: `${prefix}-${seq}` } as unknown as WorkOrderRow;
      const doc = await WorkOrder.create({ ...draft, [PENDING_EVENTS]: eventsFor(draft) });
      await ctx.services.relay.flush(WorkOrder, _id);
      const { [PENDING_EVENTS]: _pending, ...wo } = doc.toObject() as unknown as WorkOrderRow & Record<string, unknown>;
      return { wo: wo as unknown as WorkOrderRow, created: true };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const again = await WorkOrder.findOne(key).lean<WorkOrderRow>();
      if (again) return { wo: again, created: false };
      await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)));
    }
  }
  throw codedError(ErrorCode.CONFLICT, 'Could not number the work order; please retry.');
}

export async function changeStatus(ctx: Context, wo: WorkOrderRow, to: Status, note: string | undefined, identity: Identity) {
  const from = wo.status as Status;
  if (!canTransition(from, to)) {
    throw codedError(ErrorCode.BAD_USER_INPUT, `A work order cannot go from ${from} to ${to}.`, { field: 'status', allowed: TRANSITIONS[from] });
  }
  const at = new Date();
  const entry = { from, to, at, byUid: identity.uid, byName: await actorName(ctx.services, identity), ...(note ? { note } : {}) };
  const set: Record<string, unknown> = { status: to };
  // Support moving the ticket is word to the customer: the next-update clock starts again.
  if (isStaff(identity)) set.lastUpdateAt = at;
  const unset: Record<string, ''> = {};
  if (to === 'RESOLVED') set.resolvedAt = at;
  else if (from === 'RESOLVED' && to !== 'CLOSED') unset.resolvedAt = '';
  // Conditional on what we read: the status, and that the timeline has no entry beyond the ones we
  // saw. Of two concurrent changes from the same state exactly one matches; nothing is left locked.
  const change = (wo.timeline ?? []).length;
  const event = ticketEvent({ ...wo, status: to }, 'ticket.statusChanged', to === 'CANCELLED' ? 'cancelled' : 'status_changed', { from, to, note: note ?? null, change });
  const res = await saveChange(
    ctx,
    { _id: wo._id, status: from, [`timeline.${change}`]: { $exists: false } },
    { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}), $push: { timeline: entry } },
    [event],
  );
  if (res.modifiedCount !== 1) throw codedError(ErrorCode.CONFLICT, 'The work order changed meanwhile; reload and try again.');
  // The customer hears of it from the event (customer notifications, in the customer subgraph).
  return (await ctx.models.WorkOrder.findById(wo._id).lean<WorkOrderRow>())!;
}

const PRIORITIES: Priority[] = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'];
/** Statuses from which booking a visit moves a ticket to SCHEDULED. */
const MOVES_TO_SCHEDULED: Status[] = ['OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER'];

export const Mutation = {
  openTicket: async (_: unknown, { input }: { input: OpenTicketInput }, ctx: Context) => {
    const identity = requireIdentity(ctx.identity);
    let tenantId: string;
    let customerId: string;
    if (identity.role === Role.CUSTOMER) {
      // Tenant and customer come from the signed identity only; input.customerId is ignored.
      tenantId = identity.tenantId!;
      customerId = identity.customerId!;
    } else {
      const staff = requireStaff(identity);
      tenantId = staff.tenantId;
      if (!isObjectId(input.customerId)) throw badInput('customerId is required when staff open a ticket.', 'customerId');
      customerId = input.customerId;
    }
    const p = new Problems();
    const title = text(p, 'title', input.title, { min: 3, max: 200 });
    const description = text(p, 'description', input.description, { min: 1, max: 10_000 });
    const key = mutationId(p, input.clientMutationId);
    const contact = {
      name: optionalText(p, 'contactName', input.contactName, 200),
      phone: optionalText(p, 'contactPhone', input.contactPhone, 40),
      email: optionalText(p, 'contactEmail', input.contactEmail, 200),
    };
    if (contact.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(contact.email)) p.add('contactEmail', 'contactEmail is not an email address.');
    p.throwIfAny();
    const customer = await ctx.services.customers.get(tenantId, customerId);
    if (!customer) throw notFound('Customer');
    const cpe = customer.equipment[0];
    const { wo } = await createOnce(
      ctx,
      identity,
      tenantId,
      {
        title,
        description,
        category: input.category,
        type: input.category === 'INSTALLATION' ? 'INSTALLATION' : 'SUPPORT',
        priority: identity.role !== Role.CUSTOMER && input.priority ? input.priority : 'MEDIUM',
        status: 'OPEN',
        reporterCustomerId: new Types.ObjectId(customerId),
        site: customer.site ?? undefined,
        // Stored in lower case: a customer login whose confirmed email it is may follow the ticket.
        contact: { name: contact.name ?? customer.name, phone: contact.phone, email: (contact.email ?? customer.email ?? undefined)?.toLowerCase() },
        serviceSnapshot: {
          planName: customer.plan?.name,
          downMbps: customer.plan?.downMbps,
          upMbps: customer.plan?.upMbps,
          cpeModel: cpe?.model,
          cpeSerial: cpe?.serial ?? undefined,
          lastSeenAt: cpe?.lastSeenAt ?? undefined,
          site: customer.site ?? undefined,
          takenAt: new Date(),
        },
        timeline: [{ from: null, to: 'OPEN', at: new Date(), byUid: identity.uid, byName: await actorName(ctx.services, identity) }],
      },
      key,
      (draft) => [ticketEvent(draft, 'ticket.created', 'created')],
    );
    return wo;
  },

  cancelTicket: async (_: unknown, { id, reason }: { id: string; reason?: string | null }, ctx: Context) => {
    const identity = requireIdentity(ctx.identity);
    const wo = await loadVisible(ctx, id);
    const p = new Problems();
    const note = optionalText(p, 'reason', reason, 1_000);
    p.throwIfAny();
    if (identity.role === Role.CUSTOMER) {
      // Only the reporter cancels, never a customer merely affected (e.g. by an outage).
      if (String(wo.reporterCustomerId) !== identity.customerId) throw forbidden('Only the customer who opened a ticket may cancel it.');
      if (wo.status === 'CANCELLED') return wo;
      if (wo.status !== 'OPEN') throw badInput('Only open tickets can be cancelled; please send a message instead.', 'id');
      return changeStatus(ctx, wo, 'CANCELLED', note, identity);
    }
    requireStaff(identity);
    if (wo.status === 'CANCELLED') return wo;
    return changeStatus(ctx, wo, 'CANCELLED', note, identity);
  },

  changeWorkOrderStatus: async (
    _: unknown,
    { id, status, note, expectedStatus }: { id: string; status: Status; note?: string | null; expectedStatus?: Status | null },
    ctx: Context,
  ) => {
    const identity = requireStaff(ctx.identity);
    const wo = await loadVisible(ctx, id);
    const p = new Problems();
    const n = optionalText(p, 'note', note, 1_000);
    p.throwIfAny();
    if (expectedStatus && expectedStatus !== wo.status) {
      throw codedError(ErrorCode.CONFLICT, `The work order is ${wo.status} now, not ${expectedStatus}; reload and try again.`, { status: wo.status });
    }
    return changeStatus(ctx, wo, status, n, identity);
  },

  assignWorkOrder: async (_: unknown, { id, assigneeUid }: { id: string; assigneeUid?: string | null }, ctx: Context) => {
    const identity = requireStaff(ctx.identity);
    const wo = await loadVisible(ctx, id);
    let update: Record<string, unknown>;
    if (assigneeUid) {
      const member = await ctx.services.staff.get(identity.tenantId, assigneeUid);
      if (!member) throw badInput('No agent of this provider has that id.', 'assigneeUid');
      update = { $set: { assigneeUid: member.uid, assigneeName: member.name } };
    } else {
      update = { $unset: { assigneeUid: '', assigneeName: '' } };
    }
    const assignee = (update.$set as { assigneeUid?: string } | undefined)?.assigneeUid ?? null;
    await saveChange(ctx, { _id: wo._id }, update, [ticketEvent(wo, 'ticket.assigned', 'assigned', { assigneeUid: assignee })]);
    return (await ctx.models.WorkOrder.findById(wo._id).lean<WorkOrderRow>())!;
  },

  scheduleVisit: async (_: unknown, args: { id: string; windowStart?: string | null; windowEnd?: string | null }, ctx: Context) => {
    const identity = requireStaff(ctx.identity);
    const wo = await loadVisible(ctx, args.id);
    const p = new Problems();
    const start = date(p, 'windowStart', args.windowStart);
    const end = date(p, 'windowEnd', args.windowEnd);
    if (!!start !== !!end) p.add(start ? 'windowEnd' : 'windowStart', 'Give both ends of the visit window, or neither to clear it.');
    else if (start && end && end <= start) p.add('windowEnd', 'The visit window must end after it starts.');
    p.throwIfAny();
    // A visit booked in a slot holds a crew's seat: moving or clearing its window here would leave
    // the seat taken (or the slot overbooked). It moves through rescheduleVisit and cancelVisit.
    if (await ctx.models.VisitBooking.exists({ tenantId: wo.tenantId, workOrderId: wo._id, active: true })) {
      throw codedError(ErrorCode.CONFLICT, 'This visit is booked in a slot: move it with rescheduleVisit or cancel it with cancelVisit (the visit board does both).', { reason: 'VISIT_BOOKED' });
    }
    await saveChange(ctx, { _id: wo._id }, start && end ? { $set: { visitWindow: { start, end } } } : { $unset: { visitWindow: '' } }, [
      ticketEvent(wo, 'ticket.visitScheduled', 'scheduled', { windowStart: start?.toISOString() ?? null, windowEnd: end?.toISOString() ?? null }),
    ]);
    // A ticket waiting for a visit is Scheduled; one already further on (technician en route, on
    // site) or finished keeps its status. A concurrent status change wins over this one.
    if (start && end && MOVES_TO_SCHEDULED.includes(wo.status as Status)) {
      try {
        return await changeStatus(ctx, wo, 'SCHEDULED', undefined, identity);
      } catch (err) {
        if ((err as { extensions?: { code?: string } }).extensions?.code !== ErrorCode.CONFLICT) throw err;
      }
    }
    return (await ctx.models.WorkOrder.findById(wo._id).lean<WorkOrderRow>())!;
  },

  setWorkOrderEta: async (_: unknown, args: { id: string; eta?: string | null }, ctx: Context) => {
    requireStaff(ctx.identity);
    const wo = await loadVisible(ctx, args.id);
    const p = new Problems();
    const eta = date(p, 'eta', args.eta);
    p.throwIfAny();
    await saveChange(ctx, { _id: wo._id }, eta ? { $set: { eta } } : { $unset: { eta: '' } }, [ticketEvent(wo, 'ticket.etaChanged', 'eta_changed', { eta: eta?.toISOString() ?? null })]);
    return (await ctx.models.WorkOrder.findById(wo._id).lean<WorkOrderRow>())!;
  },

  rateTicket: async (_: unknown, args: { id: string; score: number; comment?: string | null }, ctx: Context) => {
    const identity = requireCustomer(ctx.identity);
    const wo = await loadVisible(ctx, args.id);
    if (String(wo.reporterCustomerId) !== identity.customerId) throw forbidden('Only the customer who opened a ticket may rate it.');
    const p = new Problems();
    if (!Number.isInteger(args.score) || args.score < 1 || args.score > 5) p.add('score', 'score must be a whole number from 1 to 5.');
    const comment = optionalText(p, 'comment', args.comment, 2_000);
    p.throwIfAny();
    if (wo.status !== 'RESOLVED' && wo.status !== 'CLOSED') throw badInput('Only resolved tickets can be rated.', 'id');
    if (wo.rating?.score) throw codedError(ErrorCode.CONFLICT, 'This ticket has already been rated.');
    // The update's condition decides between racing ratings: one matches, the others see CONFLICT.
    const res = await saveChange(
      ctx,
      { _id: wo._id, status: { $in: ['RESOLVED', 'CLOSED'] }, rating: { $exists: false } },
      { $set: { rating: { score: args.score, comment, at: new Date() } } },
      [ticketEvent(wo, 'ticket.rated', 'rated', { score: args.score })],
    );
    if (res.modifiedCount !== 1) throw codedError(ErrorCode.CONFLICT, 'This ticket has already been rated.');
    return (await ctx.models.WorkOrder.findById(wo._id).lean<WorkOrderRow>())!;
  },

  requestCallback: async (
    _: unknown,
    { input }: { input: { workOrderId?: string | null; preferredTime: string; phone?: string | null; note?: string | null; clientMutationId: string } },
    ctx: Context,
  ) => {
    const identity = requireCustomer(ctx.identity);
    const wo = input.workOrderId ? await loadVisible(ctx, input.workOrderId) : null;
    const p = new Problems();
    const preferredTime = date(p, 'preferredTime', input.preferredTime);
    // A few minutes of slack for a customer's clock running behind ours; earlier than that nobody can call back.
    if (preferredTime && preferredTime.getTime() < Date.now() - CALLBACK_CLOCK_SLACK_MS) p.add('preferredTime', 'Please choose a call-back time in the future.');
    const phone = optionalText(p, 'phone', input.phone, 40);
    const note = optionalText(p, 'note', input.note, 1_000);
    const key = mutationId(p, input.clientMutationId);
    p.throwIfAny();
    const { CallbackRequest } = ctx.models;
    const tenantId = new Types.ObjectId(identity.tenantId);
    const filter = { tenantId, createdByUid: identity.uid, clientMutationId: key };
    let request = await CallbackRequest.findOne(filter).lean();
    if (!request) {
      const _id = new Types.ObjectId();
      try {
        await CallbackRequest.create({
          _id,
          ...filter,
          customerId: new Types.ObjectId(identity.customerId),
          ...(wo ? { workOrderId: wo._id } : {}),
          preferredTime,
          phone,
          note,
          [PENDING_EVENTS]: [callbackEvent('callback.requested', 'callback_requested', identity.tenantId, _id, identity.customerId, wo?._id ?? null, { preferredTime: preferredTime!.toISOString(), phone: phone ?? null, note: note ?? null })],
        });
        await ctx.services.relay.flush(CallbackRequest, _id);
        request = (await CallbackRequest.findById(_id).lean())!;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        request = (await CallbackRequest.findOne(filter).lean())!;
      }
    }
    return request;
  },

  completeCallback: async (_: unknown, { id }: { id: string }, ctx: Context) => {
    const identity = requireStaff(ctx.identity);
    if (!isObjectId(id)) throw notFound('Call-back request');
    const filter = { _id: new Types.ObjectId(id), tenantId: new Types.ObjectId(identity.tenantId) };
    const before = await ctx.models.CallbackRequest.findOne(filter).lean();
    if (!before) throw notFound('Call-back request');
    const done = await ctx.models.CallbackRequest.updateOne(
      { ...filter, status: 'REQUESTED' },
      withEvents({ $set: { status: 'DONE' } }, [
        callbackEvent('callback.completed', 'callback_completed', identity.tenantId, before._id, String(before.customerId), before.workOrderId ?? null, {}),
      ]),
    );
    if (done.modifiedCount === 1) await ctx.services.relay.flush(ctx.models.CallbackRequest, before._id);
    return (await ctx.models.CallbackRequest.findOne(filter).lean())!;
  },

  createOutage: async (_: unknown, { input }: { input: CreateOutageInput }, ctx: Context) => {
    const identity = requireStaff(ctx.identity);
    const p = new Problems();
    const title = text(p, 'title', input.title, { min: 3, max: 200 });
    const description = text(p, 'description', input.description, { min: 1, max: 10_000 });
    const site = optionalText(p, 'site', input.site, 100);
    const eta = date(p, 'eta', input.eta);
    const plannedStart = date(p, 'plannedStart', input.plannedStart);
    const plannedEnd = date(p, 'plannedEnd', input.plannedEnd);
    if (!!plannedStart !== !!plannedEnd) p.add(plannedStart ? 'plannedEnd' : 'plannedStart', 'Give both the start and the end of planned maintenance, or neither.');
    else if (plannedStart && plannedEnd) {
      if (plannedEnd <= plannedStart) p.add('plannedEnd', 'Planned maintenance must end after it starts.');
      if (plannedStart.getTime() <= Date.now()) p.add('plannedStart', 'Planned maintenance must start in the future; declare an outage for work under way.');
    }
    const planned = plannedStart && plannedEnd ? { start: plannedStart, end: plannedEnd } : null;
    const key = mutationId(p, input.clientMutationId);
    const ids = input.customerIds ?? [];
    if (ids.length > 5_000) p.add('customerIds', 'At most 5000 customers per outage.');
    if (ids.some((id) => !isObjectId(id))) p.add('customerIds', 'customerIds must be customer ids.');
    if (!site && ids.length === 0) p.add('site', 'Give a site or a list of customers.');
    if (input.priority && !PRIORITIES.includes(input.priority)) p.add('priority', 'Unknown priority.');
    p.throwIfAny();
    const listed = await ctx.services.customers.getMany(identity.tenantId, ids);
    if (listed.length !== new Set(ids).size) throw badInput('Some customerIds are not customers of this provider.', 'customerIds');
    const atSite = site ? await ctx.services.customers.idsAtSite(identity.tenantId, site) : [];
    const affected = [...new Set([...atSite, ...listed.map((c) => c.id)])];
    if (affected.length === 0) throw badInput(`No customers are served from ${site}.`, 'site');
    const { wo } = await createOnce(
      ctx,
      identity,
      identity.tenantId,
      {
        title,
        description,
        category: 'NO_SERVICE',
        type: 'OUTAGE',
        priority: input.priority ?? (planned ? 'MEDIUM' : 'HIGH'),
        status: planned ? 'SCHEDULED' : 'OPEN',
        site,
        eta: eta ?? planned?.end,
        ...(planned ? { visitWindow: planned } : {}),
        affectedCustomerIds: affected.map((id) => new Types.ObjectId(id)),
        timeline: [{ from: null, to: planned ? 'SCHEDULED' : 'OPEN', at: new Date(), byUid: identity.uid, byName: await actorName(ctx.services, identity) }],
      },
      key,
      (draft) => [
        ticketEvent(draft, 'outage.created', 'outage_created', {
          site: site ?? null,
          plannedWindow: planned ? { start: planned.start.toISOString(), end: planned.end.toISOString() } : null,
        }),
      ],
    );
    return wo;
  },

  postOutageUpdate: async (_: unknown, args: { id: string; body: string; eta?: string | null; clientMutationId: string }, ctx: Context) => {
    const identity = requireStaff(ctx.identity);
    const wo = await loadVisible(ctx, args.id);
    if (wo.type !== 'OUTAGE') throw badInput('Public updates are for outages; send a message on other work orders.', 'id');
    const p = new Problems();
    const body = text(p, 'body', args.body, { min: 1, max: 2_000 });
    const eta = date(p, 'eta', args.eta);
    const key = mutationId(p, args.clientMutationId);
    p.throwIfAny();
    // A retried update (same key) is stored once: the condition matches only while the key is absent.
    await saveChange(
      ctx,
      { _id: wo._id, 'publicUpdates.clientMutationId': { $ne: key } },
      {
        $push: { publicUpdates: { body, at: new Date(), byName: await actorName(ctx.services, identity), clientMutationId: key } },
        ...(eta ? { $set: { eta } } : {}),
      },
      [ticketEvent(wo, 'outage.updated', 'outage_updated', { body, eta: (eta ?? wo.eta)?.toISOString() ?? null })],
    );
    return (await ctx.models.WorkOrder.findById(wo._id).lean<WorkOrderRow>())!;
  },
};
