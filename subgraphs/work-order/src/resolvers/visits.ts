/**
 * Visit booking: free slots, booking, moving and cancelling a ticket's visit, the staff board and
 * the technician's progress. Capacity holds by the unique seat index of VisitBooking; the work
 * order then records the visit and its events in one conditional update.
 */
import { badInput, codedError, ErrorCode, forbidden, isDuplicateKey, notFound, Role, type Identity } from '@wisp/shared';
import type { ChangeEvent } from '@wisp/events';
import { Types } from 'mongoose';
import type { Context } from '../context.ts';
import { actorName } from '../services.ts';
import { canTransition, type Status } from '../transitions.ts';
import { DEFAULT_CAPACITY, crewsFor, isLocalDate, isLocalTime, localDate, parseSlotId, slotAt, slotId, slotsBetween, type Capacity, type Crew, type Slot } from '../visits/slots.ts';
import { date as dateInput, mutationId, optionalText, Problems } from './input.ts';
import { loadVisible, requireIdentity, requireStaff, saveChange, ticketEvent, type WorkOrderRow } from './workOrderOps.ts';

const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
const CATEGORIES = ['NO_SERVICE', 'SLOW_SPEED', 'INTERMITTENT', 'EQUIPMENT', 'BILLING', 'INSTALLATION', 'RELOCATION', 'OTHER'];
/** Statuses in which a visit may be booked, moved or cancelled. */
const BOOKABLE: Status[] = ['OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER', 'SCHEDULED'];
/** Statuses from which booking a visit moves a ticket to SCHEDULED. */
const MOVES_TO_SCHEDULED: Status[] = ['OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER'];
const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** A booking failure a client can act on: the GraphQL code plus a `reason` naming the rule. */
const refused = (code: ErrorCode, reason: string, message: string, extra: Record<string, unknown> = {}) => codedError(code, message, { reason, ...extra });

/** Capacity read once per request and tenant: a list of tickets asking `visitNeeded` reads it once. */
const capacityOfRequest = new WeakMap<object, Map<string, Promise<Capacity>>>();

export function loadCapacity(ctx: Context, tenantId: string): Promise<Capacity> {
  let cache = capacityOfRequest.get(ctx.loaders);
  if (!cache) capacityOfRequest.set(ctx.loaders, (cache = new Map()));
  let cap = cache.get(tenantId);
  if (!cap) cache.set(tenantId, (cap = readCapacity(ctx, tenantId)));
  return cap;
}

async function readCapacity(ctx: Context, tenantId: string): Promise<Capacity> {
  const [doc, tenant] = await Promise.all([ctx.models.VisitCapacity.findById(tenantId).lean(), ctx.services.tenants.get(tenantId)]);
  const timeZone = tenant?.branding.timeZone || 'UTC';
  if (!doc) return { ...DEFAULT_CAPACITY, timeZone };
  return {
    timeZone,
    slots: (doc.slots ?? []).map((s) => ({ weekday: s.weekday, start: s.start, end: s.end })),
    crews: (doc.crews ?? []).map((c) => ({ id: c.id, name: c.name, sites: [...(c.sites ?? [])] })),
    blackoutDates: [...(doc.blackoutDates ?? [])],
    leadTimeHours: doc.leadTimeHours,
    cutoffHours: doc.cutoffHours,
    visitCategories: [...(doc.visitCategories ?? [])],
  };
}

const needsVisit = (wo: WorkOrderRow, cap: Pick<Capacity, 'visitCategories'>) => (typeof wo.visitNeeded === 'boolean' ? wo.visitNeeded : cap.visitCategories.includes(String(wo.category)));

const capacityOut = (cap: Capacity) => ({
  ...cap,
  slots: cap.slots.map((s) => ({ weekday: WEEKDAYS[s.weekday - 1], start: s.start, end: s.end })),
});

/** Seats taken per slot start (ms) and crew, among `crews`, for slots starting in [from, to). */
async function takenSeats(ctx: Context, tenantId: string, from: Date, to: Date) {
  const rows = await ctx.models.VisitBooking.find({ tenantId: new Types.ObjectId(tenantId), active: true, slotStart: { $gte: from, $lt: to } }).lean();
  const taken = new Map<number, typeof rows>();
  for (const r of rows) taken.set(r.slotStart.getTime(), [...(taken.get(r.slotStart.getTime()) ?? []), r]);
  return taken;
}

/** The ticket's visit, for its reporter or staff; anyone else (another customer, another tenant) gets NOT_FOUND. */
async function ticketForVisit(ctx: Context, id: string): Promise<{ wo: WorkOrderRow; identity: Identity & { tenantId: string }; customer: boolean }> {
  const identity = requireIdentity(ctx.identity);
  if (identity.role === Role.CUSTOMER) {
    const wo = await loadVisible(ctx, id);
    // Only the customer who reported it: one merely affected (an outage) may not book its visit.
    if (String(wo.reporterCustomerId) !== identity.customerId) throw notFound('Work order');
    return { wo, identity: identity as Identity & { tenantId: string }, customer: true };
  }
  const staff = requireStaff(identity);
  return { wo: await loadVisible(ctx, id), identity: staff, customer: false };
}

/** The slot a slot id names, checked against the tenant's capacity and, for customers, the lead time. */
function checkSlot(cap: Capacity, tenantId: string, id: string, customer: boolean): Slot {
  const parsed = parseSlotId(id);
  // A slot of another tenant is no slot of this one.
  if (!parsed || parsed.tenantId !== tenantId) throw refused(ErrorCode.NOT_FOUND, 'SLOT_NOT_FOUND', 'Visit slot not found.');
  const slot = slotAt(cap, parsed.start);
  if (!slot) throw refused(ErrorCode.NOT_FOUND, 'SLOT_NOT_FOUND', 'Visit slot not found.');
  if (slot.start.getTime() <= Date.now()) throw refused(ErrorCode.BAD_USER_INPUT, 'SLOT_IN_PAST', 'That visit slot has already started.', { field: 'slotId' });
  if (cap.blackoutDates.includes(slot.date)) throw refused(ErrorCode.BAD_USER_INPUT, 'BLACKOUT_DATE', `No visits are made on ${slot.date}.`, { field: 'slotId' });
  if (customer && slot.start.getTime() < Date.now() + cap.leadTimeHours * HOUR) {
    throw refused(ErrorCode.BAD_USER_INPUT, 'INSIDE_LEAD_TIME', `Visits are booked at least ${cap.leadTimeHours} hours ahead.`, { field: 'slotId' });
  }
  return slot;
}

function checkBookable(wo: WorkOrderRow, cap: Capacity) {
  if (wo.type === 'OUTAGE') throw refused(ErrorCode.BAD_USER_INPUT, 'VISIT_NOT_NEEDED', 'Outages have no visits to book.', { field: 'workOrderId' });
  if (!needsVisit(wo, cap)) throw refused(ErrorCode.BAD_USER_INPUT, 'VISIT_NOT_NEEDED', 'This ticket does not need a visit.', { field: 'workOrderId' });
  if (!BOOKABLE.includes(wo.status as Status)) throw refused(ErrorCode.BAD_USER_INPUT, 'TICKET_NOT_BOOKABLE', `A ${wo.status} ticket's visit cannot be changed.`, { field: 'workOrderId' });
}

function checkCutoff(cap: Capacity, start: Date, customer: boolean) {
  if (customer && start.getTime() - Date.now() < cap.cutoffHours * HOUR) {
    throw refused(ErrorCode.BAD_USER_INPUT, 'PAST_CUTOFF', `A visit can be changed up to ${cap.cutoffHours} hours before it starts; please contact us instead.`, { field: 'workOrderId' });
  }
}

const seatOf = (start: Date, crewId: string) => `${start.toISOString()}|${crewId}`;
/** A duplicate key on the work order's own booking, rather than on a seat. */
const isTicketDuplicate = (err: unknown) => {
  const e = err as { keyPattern?: Record<string, unknown>; message?: string };
  return !!e.keyPattern?.workOrderId || (!e.keyPattern?.seat && /workOrderId/.test(String(e.message)));
};

/**
 * Takes a seat in `slot` for the ticket with the first crew of `crews` that is free: each try
 * either takes the seat or meets the unique index (another visit has it) and goes on to the next
 * crew. Moving a booked visit changes its one document, so its old seat is freed in the same write.
 */
async function takeSeat(ctx: Context, wo: WorkOrderRow, slot: Slot, crews: Crew[], expect: 'new' | 'booked') {
  const { VisitBooking } = ctx.models;
  const tenantId = wo.tenantId;
  const current = await VisitBooking.findOne({ tenantId, workOrderId: wo._id }).lean();
  // A booking whose seat was taken but not yet recorded on the ticket (the service stopped between
  // the two writes) is finished by its retry rather than refused.
  if (expect === 'new' && current?.active && current.slotStart.getTime() === slot.start.getTime() && new Date(wo.visitWindow?.start ?? 0).getTime() !== slot.start.getTime()) {
    const held = crews.find((c) => c.id === current.crewId);
    if (held) return { crew: held, previous: null };
  }
  if (expect === 'new' && current?.active) throw refused(ErrorCode.CONFLICT, 'ALREADY_BOOKED', 'This ticket already has a visit booked; reschedule it instead.');
  if (expect === 'booked' && !current?.active) throw refused(ErrorCode.BAD_USER_INPUT, 'NOT_BOOKED', 'This ticket has no visit booked.', { field: 'workOrderId' });
  // Crews known to be taken are skipped; the unique index decides for the rest.
  const taken = new Set((await VisitBooking.find({ tenantId, active: true, slotStart: slot.start }, { crewId: 1, workOrderId: 1 }).lean()).filter((b) => String(b.workOrderId) !== String(wo._id)).map((b) => b.crewId));
  for (const crew of crews) {
    if (taken.has(crew.id)) continue;
    const fields = { seat: seatOf(slot.start, crew.id), active: true, slotStart: slot.start, slotEnd: slot.end, crewId: crew.id, crewName: crew.name, customerId: wo.reporterCustomerId };
    try {
      if (current) {
        const res = await VisitBooking.updateOne({ _id: current._id, version: current.version }, { $set: fields, $inc: { version: 1 } });
        if (res.matchedCount !== 1) throw codedError(ErrorCode.CONFLICT, 'The visit changed meanwhile; reload and try again.');
      } else {
        await VisitBooking.create({ tenantId, workOrderId: wo._id, version: 0, ...fields });
      }
      return { crew, previous: current?.active ? { start: current.slotStart, end: current.slotEnd, crewId: current.crewId } : null };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      if (isTicketDuplicate(err)) throw codedError(ErrorCode.CONFLICT, 'The visit changed meanwhile; reload and try again.');
    }
  }
  throw refused(ErrorCode.CONFLICT, 'SLOT_FULL', 'That visit slot is full; please pick another.');
}

/**
 * Records a visit change on the work order with its events, in one update conditional on the
 * timeline we read and on the key not being there yet; retried on a concurrent unrelated change.
 */
async function recordOnTicket(
  ctx: Context,
  identity: Identity,
  woId: Types.ObjectId,
  key: string,
  build: (wo: WorkOrderRow, change: number) => { set: Record<string, unknown>; unset?: Record<string, ''>; entry: Record<string, unknown>; events: (after: WorkOrderRow) => ChangeEvent[] },
): Promise<WorkOrderRow> {
  const byName = await actorName(ctx.services, identity);
  for (let attempt = 0; attempt < 8; attempt++) {
    const wo = (await ctx.models.WorkOrder.findById(woId).lean<WorkOrderRow>())!;
    if (wo.visitKeys?.includes(key)) return wo;
    const at = new Date();
    const change = (wo.timeline ?? []).length;
    const { set, unset, entry, events } = build(wo, change);
    const after = { ...wo, ...set } as WorkOrderRow;
    const res = await saveChange(
      ctx,
      { _id: wo._id, [`timeline.${change}`]: { $exists: false }, visitKeys: { $ne: key } },
      { $set: set, ...(unset && Object.keys(unset).length ? { $unset: unset } : {}), $push: { timeline: { at, byUid: identity.uid, byName, ...entry }, visitKeys: { $each: [key], $slice: -20 } } },
      events(after),
    );
    if (res.modifiedCount === 1) return (await ctx.models.WorkOrder.findById(wo._id).lean<WorkOrderRow>())!;
  }
  throw codedError(ErrorCode.CONFLICT, 'The ticket changed meanwhile; reload and try again.');
}

const windowText = (start: Date | null | undefined, end: Date | null | undefined) => (start && end ? `${new Date(start).toISOString()}/${new Date(end).toISOString()}` : null);

/** The visit fields and events of a booked or moved visit. */
function bookedChange(kind: 'booked' | 'rescheduled', slot: Slot, crew: Crew, previous: { start: Date; end: Date } | null) {
  return (wo: WorkOrderRow, change: number) => {
    const from = wo.status as Status;
    const toScheduled = MOVES_TO_SCHEDULED.includes(from) && canTransition(from, 'SCHEDULED');
    const status = toScheduled ? 'SCHEDULED' : from;
    const set: Record<string, unknown> = { visitWindow: { start: slot.start, end: slot.end }, visitCrew: { id: crew.id, name: crew.name }, ...(toScheduled ? { status } : {}) };
    const entry = toScheduled
      ? { from, to: status, note: undefined }
      : { from, to: from, change: { field: 'visit', from: windowText(previous?.start ?? wo.visitWindow?.start, previous?.end ?? wo.visitWindow?.end), to: windowText(slot.start, slot.end) } };
    const window = { windowStart: slot.start.toISOString(), windowEnd: slot.end.toISOString(), crewId: crew.id, crewName: crew.name };
    return {
      set,
      entry,
      events: (after: WorkOrderRow) => [
        kind === 'booked'
          ? ticketEvent(after, 'visit.booked', 'visit_booked', window)
          : ticketEvent(after, 'visit.rescheduled', 'visit_rescheduled', { ...window, previousStart: previous!.start.toISOString(), previousEnd: previous!.end.toISOString() }),
        ...(toScheduled ? [ticketEvent(after, 'ticket.statusChanged', 'status_changed', { from, to: status, note: null, change })] : []),
      ],
    };
  };
}

async function book(ctx: Context, input: { workOrderId: string; slotId: string; crewId?: string | null; clientMutationId: string }, kind: 'booked' | 'rescheduled') {
  const { wo, identity, customer } = await ticketForVisit(ctx, input.workOrderId);
  const p = new Problems();
  const key = mutationId(p, input.clientMutationId);
  if (typeof input.slotId !== 'string' || input.slotId.length > 60) p.add('slotId', 'slotId must be a slot id.');
  p.throwIfAny();
  if (wo.visitKeys?.includes(key)) return wo;
  const cap = await loadCapacity(ctx, identity.tenantId);
  checkBookable(wo, cap);
  const slot = checkSlot(cap, identity.tenantId, input.slotId, customer);
  let crews = crewsFor(cap, wo.site);
  if (!customer && input.crewId) {
    const chosen = cap.crews.find((c) => c.id === input.crewId);
    if (!chosen) throw badInput('No crew of this provider has that id.', 'crewId');
    crews = [chosen];
  }
  if (!crews.length) throw refused(ErrorCode.CONFLICT, 'SLOT_FULL', 'No crew serves this site in that slot.');
  if (kind === 'rescheduled') {
    const current = await ctx.models.VisitBooking.findOne({ tenantId: wo.tenantId, workOrderId: wo._id, active: true }).lean();
    if (current) checkCutoff(cap, current.slotStart, customer);
  }
  let seat;
  try {
    seat = await takeSeat(ctx, wo, slot, crews, kind === 'booked' ? 'new' : 'booked');
  } catch (err) {
    // A retry of a change that went through (same key) answers with its result.
    const now = await ctx.models.WorkOrder.findById(wo._id).lean<WorkOrderRow>();
    if (now?.visitKeys?.includes(key)) return now;
    throw err;
  }
  return recordOnTicket(ctx, identity, wo._id, key, bookedChange(kind, slot, seat.crew, seat.previous));
}

const WEEKDAY_NUMBER = Object.fromEntries(WEEKDAYS.map((w, i) => [w, i + 1])) as Record<string, number>;

interface CapacityInput {
  slots: { weekday: string; start: string; end: string }[];
  crews: { id: string; name: string; sites?: string[] | null }[];
  blackoutDates?: string[] | null;
  leadTimeHours: number;
  cutoffHours: number;
  visitCategories?: string[] | null;
}

export const visitQueries = {
  visitCapacity: async (_: unknown, __: unknown, ctx: Context) => capacityOut(await loadCapacity(ctx, requireStaff(ctx.identity).tenantId)),

  visitSlots: async (_: unknown, args: { workOrderId: string; from?: string | null; days?: number | null }, ctx: Context) => {
    const { wo, identity, customer } = await ticketForVisit(ctx, args.workOrderId);
    const p = new Problems();
    const from = dateInput(p, 'from', args.from) ?? new Date();
    const days = args.days ?? 14;
    if (!Number.isInteger(days) || days < 1 || days > 31) p.add('days', 'days must be from 1 to 31.');
    p.throwIfAny();
    const cap = await loadCapacity(ctx, identity.tenantId);
    const earliest = customer ? Date.now() + cap.leadTimeHours * HOUR : Date.now();
    const start = new Date(Math.max(from.getTime(), earliest));
    const to = new Date(from.getTime() + days * DAY);
    if (start >= to) return [];
    const crews = crewsFor(cap, wo.site);
    const taken = await takenSeats(ctx, identity.tenantId, start, to);
    return slotsBetween(cap, start, to).map((s) => {
      const seats = taken.get(s.start.getTime()) ?? [];
      const busy = new Set(seats.filter((b) => String(b.workOrderId) !== String(wo._id)).map((b) => b.crewId));
      const remaining = crews.filter((c) => !busy.has(c.id)).length;
      return { id: slotId(identity.tenantId, s.start), start: s.start.toISOString(), end: s.end.toISOString(), date: s.date, available: remaining > 0, remaining };
    });
  },

  visitBoard: async (_: unknown, args: { from: string; to: string }, ctx: Context) => {
    const identity = requireStaff(ctx.identity);
    const p = new Problems();
    const from = dateInput(p, 'from', args.from);
    const to = dateInput(p, 'to', args.to);
    if (from && to && (to <= from || to.getTime() - from.getTime() > 31 * DAY)) p.add('to', 'to must be after from, at most 31 days later.');
    p.throwIfAny();
    const cap = await loadCapacity(ctx, identity.tenantId);
    const taken = await takenSeats(ctx, identity.tenantId, from!, to!);
    const ids = [...taken.values()].flat().map((b) => String(b.workOrderId));
    const tickets = await ctx.loaders.workOrder.loadMany(ids);
    const byId = new Map(tickets.filter((t): t is WorkOrderRow => !!t && !(t instanceof Error)).map((t) => [String(t._id), t]));
    const crewOf = (id: string, name: string) => cap.crews.find((c) => c.id === id) ?? { id, name, sites: [] };
    const slots = slotsBetween({ ...cap, blackoutDates: [] }, from!, to!).map((s) => {
      const seats = taken.get(s.start.getTime()) ?? [];
      return {
        id: slotId(identity.tenantId, s.start),
        start: s.start.toISOString(),
        end: s.end.toISOString(),
        date: s.date,
        capacity: cap.blackoutDates.includes(s.date) ? 0 : cap.crews.length,
        booked: seats.length,
        visits: seats.map((b) => ({ crew: crewOf(b.crewId, b.crewName), workOrder: byId.get(String(b.workOrderId)) ?? null })),
      };
    });
    const tenantId = new Types.ObjectId(identity.tenantId);
    const open = { $in: MOVES_TO_SCHEDULED };
    const [marked, implied] = await Promise.all([
      ctx.models.WorkOrder.find({ tenantId, visitNeeded: true, status: open }).sort({ _id: -1 }).limit(100).lean<WorkOrderRow[]>(),
      ctx.models.WorkOrder.find({ tenantId, category: { $in: cap.visitCategories }, status: open }).sort({ _id: -1 }).limit(100).lean<WorkOrderRow[]>(),
    ]);
    const seen = new Set<string>();
    const waiting = [...marked, ...implied.filter((w) => w.visitNeeded !== false)]
      .filter((w) => w.type !== 'OUTAGE' && !w.visitWindow?.start && !seen.has(String(w._id)) && seen.add(String(w._id)))
      .sort((a, b) => (String(a._id) < String(b._id) ? 1 : -1))
      .slice(0, 100);
    return { timeZone: cap.timeZone, crews: cap.crews, slots, waiting };
  },
};

export const visitMutations = {
  updateVisitCapacity: async (_: unknown, { input }: { input: CapacityInput }, ctx: Context) => {
    const identity = requireStaff(ctx.identity);
    if (identity.role !== Role.TENANT_ADMIN) throw forbidden('Only administrators change the visit capacity.');
    const p = new Problems();
    if (input.slots.length > 100) p.add('slots', 'At most 100 slot templates.');
    const slots = input.slots.map((s, i) => {
      if (!isLocalTime(s.start) || !isLocalTime(s.end)) p.add(`slots.${i}`, 'Slot times are HH:MM.');
      else if (s.end <= s.start) p.add(`slots.${i}`, 'A slot must end after it starts.');
      return { weekday: WEEKDAY_NUMBER[s.weekday]!, start: s.start, end: s.end };
    });
    if (input.crews.length > 200) p.add('crews', 'At most 200 crews.');
    const crewIds = new Set<string>();
    const crews = input.crews.map((c, i) => {
      const id = String(c.id ?? '').trim();
      if (!/^[\w.-]{1,40}$/.test(id)) p.add(`crews.${i}.id`, 'A crew id is 1–40 letters, digits or . _ -');
      if (crewIds.has(id)) p.add(`crews.${i}.id`, 'Crew ids must differ.');
      crewIds.add(id);
      const name = optionalText(p, `crews.${i}.name`, c.name, 100);
      if (!name) p.add(`crews.${i}.name`, 'A crew needs a name.');
      const sites = [...new Set((c.sites ?? []).map((s) => s.trim()).filter(Boolean))].slice(0, 100);
      return { id, name: name ?? '', sites };
    });
    const blackoutDates = [...new Set(input.blackoutDates ?? [])];
    if (blackoutDates.length > 366) p.add('blackoutDates', 'At most 366 blackout dates.');
    if (blackoutDates.some((d) => !isLocalDate(d))) p.add('blackoutDates', 'Blackout dates are YYYY-MM-DD.');
    if (!Number.isInteger(input.leadTimeHours) || input.leadTimeHours < 0 || input.leadTimeHours > 24 * 60) p.add('leadTimeHours', 'leadTimeHours must be 0–1440.');
    if (!Number.isInteger(input.cutoffHours) || input.cutoffHours < 0 || input.cutoffHours > 24 * 60) p.add('cutoffHours', 'cutoffHours must be 0–1440.');
    const visitCategories = [...new Set(input.visitCategories ?? DEFAULT_CAPACITY.visitCategories)];
    if (visitCategories.some((c) => !CATEGORIES.includes(c))) p.add('visitCategories', 'Unknown category.');
    p.throwIfAny();
    await ctx.models.VisitCapacity.updateOne(
      { _id: new Types.ObjectId(identity.tenantId) },
      { $set: { slots, crews, blackoutDates: blackoutDates.sort(), leadTimeHours: input.leadTimeHours, cutoffHours: input.cutoffHours, visitCategories, updatedByUid: identity.uid } },
      { upsert: true },
    );
    return capacityOut(await readCapacity(ctx, identity.tenantId));
  },

  markVisitNeeded: async (_: unknown, args: { id: string; needed: boolean; clientMutationId: string }, ctx: Context) => {
    const identity = requireStaff(ctx.identity);
    const wo = await loadVisible(ctx, args.id);
    const p = new Problems();
    const key = mutationId(p, args.clientMutationId);
    p.throwIfAny();
    if (wo.visitKeys?.includes(key) || wo.visitNeeded === args.needed) return wo;
    return recordOnTicket(ctx, identity, wo._id, key, (current) => ({
      set: { visitNeeded: args.needed },
      entry: { from: current.status, to: current.status, change: { field: 'visitNeeded', from: String(current.visitNeeded ?? ''), to: String(args.needed) } },
      events: (after) => [ticketEvent(after, 'ticket.updated', 'updated', { fields: ['visitNeeded'] })],
    }));
  },

  bookVisit: (_: unknown, { input }: { input: { workOrderId: string; slotId: string; crewId?: string | null; clientMutationId: string } }, ctx: Context) => book(ctx, input, 'booked'),

  rescheduleVisit: (_: unknown, { input }: { input: { workOrderId: string; slotId: string; crewId?: string | null; clientMutationId: string } }, ctx: Context) => book(ctx, input, 'rescheduled'),

  cancelVisit: async (_: unknown, { input }: { input: { workOrderId: string; reason?: string | null; clientMutationId: string } }, ctx: Context) => {
    const { wo, identity, customer } = await ticketForVisit(ctx, input.workOrderId);
    const p = new Problems();
    const key = mutationId(p, input.clientMutationId);
    const note = optionalText(p, 'reason', input.reason, 1_000);
    p.throwIfAny();
    if (wo.visitKeys?.includes(key)) return wo;
    const cap = await loadCapacity(ctx, identity.tenantId);
    if (!BOOKABLE.includes(wo.status as Status)) throw refused(ErrorCode.BAD_USER_INPUT, 'TICKET_NOT_BOOKABLE', `A ${wo.status} ticket's visit cannot be changed.`, { field: 'workOrderId' });
    const current = await ctx.models.VisitBooking.findOne({ tenantId: wo.tenantId, workOrderId: wo._id }).lean();
    if (!current?.active) throw refused(ErrorCode.BAD_USER_INPUT, 'NOT_BOOKED', 'This ticket has no visit booked.', { field: 'workOrderId' });
    checkCutoff(cap, current.slotStart, customer);
    // The seat takes a value of its own: the slot is free for others from this write on.
    const freed = await ctx.models.VisitBooking.updateOne({ _id: current._id, version: current.version, active: true }, { $set: { active: false, seat: `free:${current._id}:${current.version + 1}` }, $inc: { version: 1 } });
    if (freed.modifiedCount !== 1) throw codedError(ErrorCode.CONFLICT, 'The visit changed meanwhile; reload and try again.');
    return recordOnTicket(ctx, identity, wo._id, key, (t, change) => {
      // A ticket scheduled only for this visit goes back to being worked on.
      const back = t.status === 'SCHEDULED' && canTransition('SCHEDULED', 'IN_PROGRESS');
      const to = back ? 'IN_PROGRESS' : t.status;
      return {
        set: back ? { status: to } : {},
        unset: { visitWindow: '', visitCrew: '' },
        entry: back ? { from: t.status, to, note } : { from: t.status, to: t.status, note, change: { field: 'visit', from: windowText(current.slotStart, current.slotEnd), to: null } },
        events: (after) => [
          ticketEvent(after, 'visit.cancelled', 'visit_cancelled', { windowStart: null, windowEnd: null, previousStart: current.slotStart.toISOString(), previousEnd: current.slotEnd.toISOString() }),
          ...(back ? [ticketEvent(after, 'ticket.statusChanged', 'status_changed', { from: t.status, to, note: note ?? null, change })] : []),
        ],
      };
    });
  },

  assignVisitCrew: async (_: unknown, { input }: { input: { workOrderId: string; crewId: string; clientMutationId: string } }, ctx: Context) => {
    const identity = requireStaff(ctx.identity);
    const wo = await loadVisible(ctx, input.workOrderId);
    const p = new Problems();
    const key = mutationId(p, input.clientMutationId);
    p.throwIfAny();
    if (wo.visitKeys?.includes(key)) return wo;
    const cap = await loadCapacity(ctx, identity.tenantId);
    const crew = cap.crews.find((c) => c.id === input.crewId);
    if (!crew) throw badInput('No crew of this provider has that id.', 'crewId');
    const current = await ctx.models.VisitBooking.findOne({ tenantId: wo.tenantId, workOrderId: wo._id, active: true }).lean();
    if (!current) throw refused(ErrorCode.BAD_USER_INPUT, 'NOT_BOOKED', 'This ticket has no visit booked.', { field: 'workOrderId' });
    if (current.crewId === crew.id) return wo;
    const slot = { start: current.slotStart, end: current.slotEnd, date: localDate(current.slotStart, cap.timeZone) };
    const seat = await takeSeat(ctx, wo, slot, [crew], 'booked');
    return recordOnTicket(ctx, identity, wo._id, key, bookedChange('rescheduled', slot, crew, seat.previous));
  },

  setVisitProgress: async (_: unknown, { input }: { input: { workOrderId: string; status: 'EN_ROUTE' | 'ON_SITE'; etaMinutes?: number | null; clientMutationId: string } }, ctx: Context) => {
    const identity = requireStaff(ctx.identity);
    const wo = await loadVisible(ctx, input.workOrderId);
    const p = new Problems();
    const key = mutationId(p, input.clientMutationId);
    const m = input.etaMinutes;
    if (input.status === 'EN_ROUTE' && (m == null || !Number.isInteger(m) || m < 1 || m > 720)) p.add('etaMinutes', 'Give the minutes until arrival (1–720).');
    p.throwIfAny();
    if (wo.visitKeys?.includes(key)) return wo;
    if (!wo.visitWindow?.start) throw refused(ErrorCode.BAD_USER_INPUT, 'NOT_BOOKED', 'This ticket has no visit booked.', { field: 'workOrderId' });
    const to = input.status;
    const from = wo.status as Status;
    const again = from === 'EN_ROUTE' && to === 'EN_ROUTE';
    if (!again && !canTransition(from, to)) throw codedError(ErrorCode.BAD_USER_INPUT, `A work order cannot go from ${from} to ${to}.`, { field: 'status', reason: 'BAD_TRANSITION' });
    const crewName = wo.visitCrew?.name ?? null;
    return recordOnTicket(ctx, identity, wo._id, key, (t, change) => {
      if (t.status !== from) throw codedError(ErrorCode.CONFLICT, 'The ticket changed meanwhile; reload and try again.');
      const eta = to === 'EN_ROUTE' ? new Date(Date.now() + m! * 60_000) : null;
      return {
        set: { status: to, ...(eta ? { eta } : {}) },
        entry: again ? { from, to, change: { field: 'eta', from: t.eta ? new Date(t.eta).toISOString() : null, to: eta!.toISOString() } } : { from, to },
        events: (after) => [
          to === 'EN_ROUTE' ? ticketEvent(after, 'visit.enRoute', 'visit_en_route', { eta: eta!.toISOString(), crewName }) : ticketEvent(after, 'visit.onSite', 'visit_on_site', { crewName }),
          ...(again ? [ticketEvent(after, 'ticket.etaChanged', 'eta_changed', { eta: eta!.toISOString() })] : [ticketEvent(after, 'ticket.statusChanged', 'status_changed', { from, to, note: null, change })]),
        ],
      };
    });
  },
};

/** The visit fields of a work order. */
export const visitFields = {
  visitNeeded: async (wo: WorkOrderRow, _: unknown, ctx: Context) => {
    if (typeof wo.visitNeeded === 'boolean') return wo.visitNeeded;
    if (wo.type === 'OUTAGE') return false;
    return (await loadCapacity(ctx, String(wo.tenantId))).visitCategories.includes(String(wo.category));
  },
  visit: async (wo: WorkOrderRow, _: unknown, ctx: Context) => {
    const identity = ctx.identity;
    if (!wo.visitWindow?.start || !wo.visitWindow.end || !wo.visitCrew?.id || !identity) return null;
    const reporter = identity.role === Role.CUSTOMER && String(wo.reporterCustomerId) === identity.customerId;
    if (!reporter && identity.role === Role.CUSTOMER) return null;
    const cap = await loadCapacity(ctx, String(wo.tenantId));
    const crew = cap.crews.find((c) => c.id === wo.visitCrew!.id) ?? { id: wo.visitCrew.id, name: wo.visitCrew.name ?? '', sites: [] };
    return {
      start: new Date(wo.visitWindow.start).toISOString(),
      end: new Date(wo.visitWindow.end).toISOString(),
      crew: reporter ? { ...crew, sites: [] } : crew,
      changeableUntil: new Date(new Date(wo.visitWindow.start).getTime() - cap.cutoffHours * HOUR).toISOString(),
    };
  },
};

