import { badInput, codedError, ErrorCode, forbidden, isObjectId, notFound, Role, type Identity } from '@wisp/shared';
import { Types } from 'mongoose';
import type { Context } from '../context.ts';
import { actorName } from '../services.ts';
import { canTransition, TRANSITIONS, type Status } from '../transitions.ts';
import { mailTicketStatus } from '../ticketMail.ts';
import { date, isDuplicateKey, mutationId, optionalText, Problems, text } from './input.ts';
import {
  claim,
  emit,
  loadVisible,
  numberPrefix,
  postSystemLine,
  requireCustomer,
  requireIdentity,
  requireStaff,
  statusLine,
  type WorkOrderRow,
} from './workOrderOps.ts';

type Priority = 'LOW' | 'MEDIUM' | 'HIGH' | 'URGENT';

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
  clientMutationId: string;
}

/**
 * Creates a work order with the tenant's next number, once per client mutation id. Numbers are
 * never reused: highest + 1 under a unique index, retried when another create took it first.
 */
async function createOnce(ctx: Context, identity: Identity, tenantId: string, fields: Record<string, unknown>, clientMutationId: string) {
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
      const doc = await WorkOrder.create({ ...fields, ...key, seq, number: `${prefix}-${seq}` });
      return { wo: doc.toObject() as unknown as WorkOrderRow, created: true };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const again = await WorkOrder.findOne(key).lean<WorkOrderRow>();
      if (again) return { wo: again, created: false };
      await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)));
    }
  }
  throw codedError(ErrorCode.CONFLICT, 'Could not number the work order; please retry.');
}

async function changeStatus(ctx: Context, wo: WorkOrderRow, to: Status, note: string | undefined, identity: Identity) {
  const from = wo.status as Status;
  if (!canTransition(from, to)) {
    throw codedError(ErrorCode.BAD_USER_INPUT, `A work order cannot go from ${from} to ${to}.`, { field: 'status', allowed: TRANSITIONS[from] });
  }
  const at = new Date();
  const entry = { from, to, at, byUid: identity.uid, byName: await actorName(ctx.services, identity), ...(note ? { note } : {}) };
  const set: Record<string, unknown> = { status: to };
  const unset: Record<string, ''> = {};
  if (to === 'RESOLVED') set.resolvedAt = at;
  else if (from === 'RESOLVED' && to !== 'CLOSED') unset.resolvedAt = '';
  // The n-th change of a work order is claimed once: of two concurrent changes from the same state one wins.
  if (!(await claim(ctx, `status:${wo._id}:${(wo.timeline ?? []).length}`))) {
    throw codedError(ErrorCode.CONFLICT, 'The work order changed meanwhile; reload and try again.');
  }
  // Conditional on the status we read as well, for changes made outside this path.
  const res = await ctx.models.WorkOrder.updateOne(
    { _id: wo._id, status: from },
    { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}), $push: { timeline: entry } },
  );
  if (res.modifiedCount !== 1) throw codedError(ErrorCode.CONFLICT, 'The work order changed meanwhile; reload and try again.');
  const updated = (await ctx.models.WorkOrder.findById(wo._id).lean<WorkOrderRow>())!;
  await postSystemLine(ctx, updated, statusLine(from, to, note), `status:${wo._id}:${updated.timeline.length}`);
  await emit(ctx, updated, to === 'CANCELLED' ? 'cancelled' : 'status_changed');
  // The customer hears of what staff did; their own cancellation needs no email.
  if (identity.role !== Role.CUSTOMER) await mailTicketStatus({ ...ctx.services, log: ctx.log }, updated as never, to);
  return updated;
}

const PRIORITIES: Priority[] = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'];

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
    const { wo, created } = await createOnce(
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
        contact: { name: contact.name ?? customer.name, phone: contact.phone, email: contact.email ?? customer.email ?? undefined },
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
    );
    if (created) await emit(ctx, wo, 'created');
    // Also on a retry: if the first attempt failed before notifying, the retry does it (once, by key).
    await ctx.services.notifier.notify({
      tenantId,
      kind: 'TICKET_CREATED',
      // A new ticket has no assignee yet: every agent of the tenant hears of it.
      assigneeUid: null,
      workOrderId: String(wo._id),
      title: `New ticket ${wo.number}: ${wo.title}`,
      body: `${customer.name} opened ${wo.number} (${String(wo.category).replace(/_/g, ' ').toLowerCase()}): ${wo.title}`,
      dedupeKey: `ticket:${wo._id}`,
      path: `/staff/tickets/${wo._id}`,
    });
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
    await ctx.models.WorkOrder.updateOne({ _id: wo._id }, update);
    const updated = (await ctx.models.WorkOrder.findById(wo._id).lean<WorkOrderRow>())!;
    await emit(ctx, updated, 'assigned');
    return updated;
  },

  scheduleVisit: async (_: unknown, args: { id: string; windowStart?: string | null; windowEnd?: string | null }, ctx: Context) => {
    requireStaff(ctx.identity);
    const wo = await loadVisible(ctx, args.id);
    const p = new Problems();
    const start = date(p, 'windowStart', args.windowStart);
    const end = date(p, 'windowEnd', args.windowEnd);
    if (!!start !== !!end) p.add(start ? 'windowEnd' : 'windowStart', 'Give both ends of the visit window, or neither to clear it.');
    else if (start && end && end <= start) p.add('windowEnd', 'The visit window must end after it starts.');
    p.throwIfAny();
    await ctx.models.WorkOrder.updateOne({ _id: wo._id }, start && end ? { $set: { visitWindow: { start, end } } } : { $unset: { visitWindow: '' } });
    const updated = (await ctx.models.WorkOrder.findById(wo._id).lean<WorkOrderRow>())!;
    await postSystemLine(
      ctx,
      updated,
      start && end ? `Visit scheduled: ${start.toISOString()} – ${end.toISOString()}.` : 'Visit window cleared.',
      `schedule:${wo._id}:${new Types.ObjectId().toHexString()}`,
    );
    await emit(ctx, updated, 'scheduled');
    return updated;
  },

  setWorkOrderEta: async (_: unknown, args: { id: string; eta?: string | null }, ctx: Context) => {
    requireStaff(ctx.identity);
    const wo = await loadVisible(ctx, args.id);
    const p = new Problems();
    const eta = date(p, 'eta', args.eta);
    p.throwIfAny();
    await ctx.models.WorkOrder.updateOne({ _id: wo._id }, eta ? { $set: { eta } } : { $unset: { eta: '' } });
    const updated = (await ctx.models.WorkOrder.findById(wo._id).lean<WorkOrderRow>())!;
    await emit(ctx, updated, 'eta_changed');
    return updated;
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
    if (wo.rating?.score || !(await claim(ctx, `rating:${wo._id}`))) throw codedError(ErrorCode.CONFLICT, 'This ticket has already been rated.');
    const res = await ctx.models.WorkOrder.updateOne(
      { _id: wo._id, status: { $in: ['RESOLVED', 'CLOSED'] }, rating: { $exists: false } },
      { $set: { rating: { score: args.score, comment, at: new Date() } } },
    );
    if (res.modifiedCount !== 1) throw codedError(ErrorCode.CONFLICT, 'This ticket has already been rated.');
    const updated = (await ctx.models.WorkOrder.findById(wo._id).lean<WorkOrderRow>())!;
    await emit(ctx, updated, 'rated');
    return updated;
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
    const phone = optionalText(p, 'phone', input.phone, 40);
    const note = optionalText(p, 'note', input.note, 1_000);
    const key = mutationId(p, input.clientMutationId);
    p.throwIfAny();
    const { CallbackRequest } = ctx.models;
    const tenantId = new Types.ObjectId(identity.tenantId);
    const filter = { tenantId, createdByUid: identity.uid, clientMutationId: key };
    let request = await CallbackRequest.findOne(filter).lean();
    let created = false;
    if (!request) {
      try {
        request = (
          await CallbackRequest.create({
            ...filter,
            customerId: new Types.ObjectId(identity.customerId),
            ...(wo ? { workOrderId: wo._id } : {}),
            preferredTime,
            phone,
            note,
          })
        ).toObject();
        created = true;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        request = (await CallbackRequest.findOne(filter).lean())!;
      }
    }
    const customer = await ctx.services.customers.get(identity.tenantId, identity.customerId);
    if (created) {
      await ctx.services.events.append({
        tenantId: identity.tenantId,
        entity: 'WorkOrder',
        entityId: wo ? String(wo._id) : String(request._id),
        kind: 'callback_requested',
        // A request about no ticket belongs to itself.
        workOrderId: wo ? String(wo._id) : String(request._id),
        customerIds: [identity.customerId],
        internal: false,
      });
    }
    await ctx.services.notifier.notify({
      tenantId: identity.tenantId,
      kind: 'CALLBACK_REQUESTED',
      assigneeUid: wo?.assigneeUid ?? null,
      workOrderId: wo ? String(wo._id) : null,
      title: `Call-back requested by ${customer?.name ?? 'a customer'}${wo ? ` about ${wo.number}` : ''}`,
      body: `Preferred time: ${request.preferredTime.toISOString()}${request.phone ? ` · phone ${request.phone}` : ''}${request.note ? ` · "${request.note}"` : ''}`,
      dedupeKey: `callback:${request._id}`,
      path: wo ? `/staff/tickets/${wo._id}` : '/staff/queue',
    });
    return request;
  },

  completeCallback: async (_: unknown, { id }: { id: string }, ctx: Context) => {
    const identity = requireStaff(ctx.identity);
    if (!isObjectId(id)) throw notFound('Call-back request');
    const filter = { _id: new Types.ObjectId(id), tenantId: new Types.ObjectId(identity.tenantId) };
    await ctx.models.CallbackRequest.updateOne({ ...filter, status: 'REQUESTED' }, { $set: { status: 'DONE' } });
    const request = await ctx.models.CallbackRequest.findOne(filter).lean();
    if (!request) throw notFound('Call-back request');
    return request;
  },

  createOutage: async (_: unknown, { input }: { input: CreateOutageInput }, ctx: Context) => {
    const identity = requireStaff(ctx.identity);
    const p = new Problems();
    const title = text(p, 'title', input.title, { min: 3, max: 200 });
    const description = text(p, 'description', input.description, { min: 1, max: 10_000 });
    const site = optionalText(p, 'site', input.site, 100);
    const eta = date(p, 'eta', input.eta);
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
    const { wo, created } = await createOnce(
      ctx,
      identity,
      identity.tenantId,
      {
        title,
        description,
        category: 'NO_SERVICE',
        type: 'OUTAGE',
        priority: input.priority ?? 'HIGH',
        status: 'OPEN',
        site,
        eta,
        affectedCustomerIds: affected.map((id) => new Types.ObjectId(id)),
        timeline: [{ from: null, to: 'OPEN', at: new Date(), byUid: identity.uid, byName: await actorName(ctx.services, identity) }],
      },
      key,
    );
    if (created) await emit(ctx, wo, 'outage_created');
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
    // A retried update (same key) is stored once.
    if (!(await claim(ctx, `outage-update:${wo._id}:${key}`))) return (await ctx.models.WorkOrder.findById(wo._id).lean<WorkOrderRow>())!;
    const res = await ctx.models.WorkOrder.updateOne(
      { _id: wo._id, 'publicUpdates.clientMutationId': { $ne: key } },
      {
        $push: { publicUpdates: { body, at: new Date(), byName: await actorName(ctx.services, identity), clientMutationId: key } },
        ...(eta ? { $set: { eta } } : {}),
      },
    );
    const updated = (await ctx.models.WorkOrder.findById(wo._id).lean<WorkOrderRow>())!;
    if (res.modifiedCount === 1) await emit(ctx, updated, 'outage_updated');
    return updated;
  },
};
