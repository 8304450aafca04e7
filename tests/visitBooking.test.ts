/**
 * Visit booking on the real stack: customers pick, move and cancel a free slot of their ticket;
 * staff book, move and assign crews on the board; technicians report en route and on site; and
 * capacity is never overbooked when many customers race for the last seat.
 */
import { randomUUID } from 'node:crypto';
import { connectMongo, Role } from '@wisp/shared';
import { openEventLog } from '@wisp/events';
import { codes, emulatorIdToken, gql, type GqlResult } from '@wisp/shared/testing';
import { Types } from 'mongoose';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { tenantId as demoTenantId } from './demo.ts';
import { liveClient, until } from './live.ts';
import { createTestTenant, type TestTenant } from './tenantFixtures.ts';

const url = inject('gatewayUrl');
const mongo = { uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') };
const HOUR = 3600_000;
const DAY = 24 * HOUR;

const VISIT = `id status eta visitNeeded visitWindow { start end } visit { start end changeableUntil crew { id name } } timeline { from to change { field from to } }`;
const SLOTS = `query($id: ID!, $from: String, $days: Int) { visitSlots(workOrderId: $id, from: $from, days: $days) { id start end date available remaining } }`;
const BOOK = `mutation($input: BookVisitInput!) { bookVisit(input: $input) { ${VISIT} } }`;
const MOVE = `mutation($input: BookVisitInput!) { rescheduleVisit(input: $input) { ${VISIT} } }`;
const CANCEL = `mutation($input: CancelVisitInput!) { cancelVisit(input: $input) { ${VISIT} } }`;
const ASSIGN = `mutation($input: AssignVisitCrewInput!) { assignVisitCrew(input: $input) { ${VISIT} } }`;
const PROGRESS = `mutation($input: VisitProgressInput!) { setVisitProgress(input: $input) { ${VISIT} } }`;
const NEEDED = `mutation($id: ID!, $needed: Boolean!, $k: String!) { markVisitNeeded(id: $id, needed: $needed, clientMutationId: $k) { ${VISIT} } }`;
const BOARD = `query($from: String!, $to: String!) { visitBoard(from: $from, to: $to) { timeZone crews { id name } slots { id start date capacity booked visits { crew { id } workOrder { id number } } } waiting { id } } }`;
const CAPACITY = `mutation($input: VisitCapacityInput!) { updateVisitCapacity(input: $input) { timeZone leadTimeHours cutoffHours blackoutDates crews { id } slots { weekday start end } } }`;
const GET = `query($id: ID!) { workOrder(id: $id) { ${VISIT} } }`;

const EVERY_DAY = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'].flatMap((weekday) =>
  [['08:00', '10:00'], ['10:00', '12:00'], ['13:00', '15:00'], ['15:00', '17:00']].map(([start, end]) => ({ weekday, start, end })),
);
const localDay = (t: number) => new Date(t).toISOString().slice(0, 10);
/** The blackout day: five days from now (UTC, the test tenant's time zone). */
const BLACKOUT = localDay(Date.now() + 5 * DAY);

function ok<T = Record<string, any>>(r: GqlResult<T>): T {
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!;
}
const reasons = (r: GqlResult<unknown>) => (r.errors ?? []).map((e) => `${(e.extensions as { code?: string })?.code}:${(e.extensions as { reason?: string })?.reason ?? ''}`);

let t: TestTenant;
let admin: string, agent: string;
const customers: { id: string; token: string }[] = [];

async function newCustomer(n: number) {
  const r = ok(await gql(url, `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { accountNumber: `VB-${n}-${randomUUID().slice(0, 6)}`, name: `Visit Customer ${n}`, email: `visit-${n}-${t.slug}@example.com`, site: 'Ridge Tower', serviceStatus: 'ACTIVE' } }, { token: admin }));
  const id = (r.createCustomer as { customer: { id: string } }).customer.id;
  return { id, token: await t.loginAs(Role.CUSTOMER, `visit-${n}@${t.slug}.example`, id) };
}

async function openTicket(token: string, category = 'INSTALLATION'): Promise<string> {
  const r = ok(await gql(url, `mutation($input: OpenTicketInput!) { openTicket(input: $input) { id } }`, { input: { title: 'New dish install', description: 'Please install the radio.', category, clientMutationId: randomUUID() } }, { token }));
  return (r.openTicket as { id: string }).id;
}

const board = async (from: number, to: number) => ok(await gql(url, BOARD, { from: new Date(from).toISOString(), to: new Date(to).toISOString() }, { token: agent })).visitBoard as any;
const slotsOf = async (token: string, id: string, from = Date.now(), days = 14) => ok(await gql(url, SLOTS, { id, from: new Date(from).toISOString(), days }, { token })).visitSlots as any[];

beforeAll(async () => {
  t = await createTestTenant(url, await emulatorIdToken('ops@platform.example'), 'vb');
  admin = await t.adminToken();
  agent = await t.loginAs(Role.AGENT, `agent@${t.slug}.example`);
  ok(await gql(url, CAPACITY, { input: { slots: EVERY_DAY, crews: [{ id: 'north', name: 'North crew' }, { id: 'south', name: 'South crew', sites: ['Ridge Tower'] }], blackoutDates: [BLACKOUT], leadTimeHours: 24, cutoffHours: 24 } }, { token: admin }));
  for (let n = 0; n < 26; n++) customers.push(await newCustomer(n));
});

describe('customer booking', () => {
  it('books a free slot, moves it, cancels it: the ticket, the free seats and the events follow', async () => {
    const [me] = customers;
    const ticket = await openTicket(me!.token);
    const slots = await slotsOf(me!.token, ticket);
    // Customers only see slots beyond the lead time, none on the blackout date, with both crews free.
    expect(slots.length).toBeGreaterThan(20);
    expect(slots.every((s) => new Date(s.start).getTime() >= Date.now() + 24 * HOUR - 60_000)).toBe(true);
    expect(slots.some((s) => s.date === BLACKOUT)).toBe(false);
    expect(slots[0]).toMatchObject({ available: true, remaining: 2 });
    const first = slots.find((s) => new Date(s.start).getTime() > Date.now() + 3 * DAY)!;
    const later = slots.find((s) => new Date(s.start).getTime() > new Date(first.start).getTime() + DAY)!;

    const key = randomUUID();
    const booked = ok(await gql(url, BOOK, { input: { workOrderId: ticket, slotId: first.id, clientMutationId: key } }, { token: me!.token })).bookVisit as any;
    expect(booked.status).toBe('SCHEDULED');
    expect(booked.visit).toMatchObject({ start: first.start, end: first.end, crew: { id: 'north', name: 'North crew' } });
    expect(new Date(booked.visit.changeableUntil).getTime()).toBe(new Date(first.start).getTime() - 24 * HOUR);
    // The retry returns the first result; a second booking is refused.
    expect((ok(await gql(url, BOOK, { input: { workOrderId: ticket, slotId: later.id, clientMutationId: key } }, { token: me!.token })).bookVisit as any).visit.start).toBe(first.start);
    expect(reasons(await gql(url, BOOK, { input: { workOrderId: ticket, slotId: later.id, clientMutationId: randomUUID() } }, { token: me!.token }))).toEqual(['CONFLICT:ALREADY_BOOKED']);
    expect((await slotsOf(customers[1]!.token, await openTicket(customers[1]!.token))).find((s) => s.id === first.id)).toMatchObject({ remaining: 1, available: true });

    const moved = ok(await gql(url, MOVE, { input: { workOrderId: ticket, slotId: later.id, clientMutationId: randomUUID() } }, { token: me!.token })).rescheduleVisit as any;
    expect(moved.visit).toMatchObject({ start: later.start, crew: { id: 'north' } });
    expect(moved.timeline.at(-1).change).toMatchObject({ field: 'visit', to: `${later.start}/${later.end}` });
    const after = await board(new Date(first.start).getTime(), new Date(later.start).getTime() + 1);
    expect(after.slots.find((s: any) => s.id === first.id).booked).toBe(0);
    expect(after.slots.find((s: any) => s.id === later.id).visits).toEqual([{ crew: { id: 'north' }, workOrder: { id: ticket, number: expect.any(String) } }]);

    const cancelled = ok(await gql(url, CANCEL, { input: { workOrderId: ticket, reason: 'Away that week', clientMutationId: randomUUID() } }, { token: me!.token })).cancelVisit as any;
    expect(cancelled).toMatchObject({ status: 'IN_PROGRESS', visit: null, visitWindow: null });
    expect((await board(new Date(later.start).getTime(), new Date(later.start).getTime() + 1)).slots[0].booked).toBe(0);

    const log = await openEventLog(mongo);
    try {
      const { events } = await log.readAfter(0, 100_000);
      expect(events.filter((e) => e.workOrderId === ticket && e.type.startsWith('visit.')).map((e) => e.type)).toEqual(['visit.booked', 'visit.rescheduled', 'visit.cancelled']);
    } finally {
      await log.close();
    }
    // The customer is told of each change (customer notifications, by email).
    const OUTBOX = `query($to: String) { outboxEmails(to: $to, first: 50) { kind subject } }`;
    const deadline = Date.now() + 15_000;
    let subjects: string[] = [];
    while (Date.now() < deadline) {
      subjects = ((ok(await gql(url, OUTBOX, { to: `visit-0-${t.slug}@example.com` }, { token: admin })).outboxEmails ?? []) as { subject: string }[]).map((m) => m.subject);
      if (subjects.some((s) => /cancelled/i.test(s))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(subjects.join(' | ')).toMatch(/Visit (scheduled|moved|cancelled)/);
    expect(subjects.some((s) => /cancelled/i.test(s))).toBe(true);
  });

  it('refuses other tenants\' slots, past slots, blackout dates, the lead time, the cutoff, other customers and wrong roles with codes', async () => {
    const me = customers[2]!;
    const other = customers[3]!;
    const ticket = await openTicket(me.token);
    const slots = await slotsOf(me.token, ticket);
    const future = slots.find((s) => new Date(s.start).getTime() > Date.now() + 3 * DAY)!;
    const start = new Date(future.start).getTime();
    const book = (slotId: string, token = me.token, workOrderId = ticket) => gql(url, BOOK, { input: { workOrderId, slotId, clientMutationId: randomUUID() } }, { token });

    // Another tenant's slot id (the same instant) names no slot of this tenant.
    expect(reasons(await book(`${demoTenantId('skyline')}.${start.toString(36)}`))).toEqual(['NOT_FOUND:SLOT_NOT_FOUND']);
    // A time that is no slot of the templates.
    expect(reasons(await book(`${t.id}.${(start + 30 * 60_000).toString(36)}`))).toEqual(['NOT_FOUND:SLOT_NOT_FOUND']);
    const staffBoard = await board(Date.now() - 2 * DAY, Date.now() + 6 * DAY);
    const past = staffBoard.slots.find((s: any) => new Date(s.start).getTime() < Date.now() - HOUR);
    expect(reasons(await book(past.id))).toEqual(['BAD_USER_INPUT:SLOT_IN_PAST']);
    const blackout = staffBoard.slots.find((s: any) => s.date === BLACKOUT);
    expect(blackout.capacity).toBe(0);
    expect(reasons(await book(blackout.id))).toEqual(['BAD_USER_INPUT:BLACKOUT_DATE']);
    const soon = staffBoard.slots.filter((s: any) => new Date(s.start).getTime() > Date.now() + 2 * HOUR && new Date(s.start).getTime() < Date.now() + 20 * HOUR);
    expect(soon.length).toBeGreaterThan(0);
    expect(reasons(await book(soon[0].id))).toEqual(['BAD_USER_INPUT:INSIDE_LEAD_TIME']);

    // Another customer of the same tenant may neither see the slots of, nor book, nor cancel this ticket.
    expect(codes(await gql(url, SLOTS, { id: ticket }, { token: other.token }))).toEqual(['NOT_FOUND']);
    expect(codes(await book(future.id, other.token))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(url, CANCEL, { input: { workOrderId: ticket, clientMutationId: randomUUID() } }, { token: other.token }))).toEqual(['NOT_FOUND']);
    // Staff of another tenant see no such ticket.
    const prairieAgent = await emulatorIdToken('agent@prairie.example', 'prairie');
    expect(codes(await book(future.id, prairieAgent))).toEqual(['NOT_FOUND']);
    // Wrong roles: customers do not change capacity, report progress or read the board; agents do not change capacity.
    expect(codes(await gql(url, CAPACITY, { input: { slots: [], crews: [], leadTimeHours: 0, cutoffHours: 0 } }, { token: me.token }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, CAPACITY, { input: { slots: [], crews: [], leadTimeHours: 0, cutoffHours: 0 } }, { token: agent }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, PROGRESS, { input: { workOrderId: ticket, status: 'ON_SITE', clientMutationId: randomUUID() } }, { token: me.token }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, BOARD, { from: new Date().toISOString(), to: new Date(Date.now() + DAY).toISOString() }, { token: me.token }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, CAPACITY, { input: { slots: [{ weekday: 'MONDAY', start: '10:00', end: '09:00' }], crews: [], leadTimeHours: 0, cutoffHours: 0 } }, { token: admin }))).toEqual(['BAD_USER_INPUT']);
    // A ticket that needs no visit.
    const support = await openTicket(me.token, 'SLOW_SPEED');
    expect(reasons(await book(future.id, me.token, support))).toEqual(['BAD_USER_INPUT:VISIT_NOT_NEEDED']);

    // Staff book inside the lead time; the customer then cannot move or cancel it (cutoff).
    ok(await gql(url, BOOK, { input: { workOrderId: ticket, slotId: soon.at(-1).id, clientMutationId: randomUUID() } }, { token: agent }));
    expect(reasons(await gql(url, MOVE, { input: { workOrderId: ticket, slotId: future.id, clientMutationId: randomUUID() } }, { token: me.token }))).toEqual(['BAD_USER_INPUT:PAST_CUTOFF']);
    expect(reasons(await gql(url, CANCEL, { input: { workOrderId: ticket, clientMutationId: randomUUID() } }, { token: me.token }))).toEqual(['BAD_USER_INPUT:PAST_CUTOFF']);
    // Staff still may.
    expect((ok(await gql(url, MOVE, { input: { workOrderId: ticket, slotId: future.id, clientMutationId: randomUUID() } }, { token: agent })).rescheduleVisit as any).visit.start).toBe(future.start);
  });
});

describe('staff and technicians', () => {
  it('mark a visit needed, book it on the board, assign a crew, and report en route with an ETA the customer sees live, then on site', async () => {
    const me = customers[4]!;
    const ticket = await openTicket(me.token, 'NO_SERVICE');
    expect((ok(await gql(url, GET, { id: ticket }, { token: me.token })).workOrder as any).visitNeeded).toBe(false);
    const key = randomUUID();
    expect((ok(await gql(url, NEEDED, { id: ticket, needed: true, k: key }, { token: agent })).markVisitNeeded as any).visitNeeded).toBe(true);
    expect(codes(await gql(url, NEEDED, { id: ticket, needed: true, k: randomUUID() }, { token: me.token }))).toEqual(['FORBIDDEN']);
    const b = await board(Date.now(), Date.now() + 3 * DAY);
    expect(b.crews.map((c: any) => c.id)).toEqual(['north', 'south']);
    expect(b.waiting.map((w: any) => w.id)).toContain(ticket);
    const slot = b.slots.find((s: any) => new Date(s.start).getTime() > Date.now() + 2 * HOUR && s.booked === 0);
    const booked = ok(await gql(url, BOOK, { input: { workOrderId: ticket, slotId: slot.id, crewId: 'south', clientMutationId: randomUUID() } }, { token: agent })).bookVisit as any;
    expect(booked.visit.crew.id).toBe('south');
    const assigned = ok(await gql(url, ASSIGN, { input: { workOrderId: ticket, crewId: 'north', clientMutationId: randomUUID() } }, { token: agent })).assignVisitCrew as any;
    expect(assigned.visit).toMatchObject({ start: slot.start, crew: { id: 'north' } });
    expect((await board(new Date(slot.start).getTime(), new Date(slot.start).getTime() + 1)).slots[0].visits.map((v: any) => v.crew.id)).toEqual(['north']);
    expect((await board(Date.now(), Date.now() + 3 * DAY)).waiting.map((w: any) => w.id)).not.toContain(ticket);
    // The free-form window cannot move a visit that holds a seat: the slot would stay taken.
    const freeForm = await gql(url, `mutation($id: ID!, $s: String, $e: String) { scheduleVisit(id: $id, windowStart: $s, windowEnd: $e) { id } }`, { id: ticket, s: null, e: null }, { token: agent });
    expect(reasons(freeForm)).toEqual(['CONFLICT:VISIT_BOOKED']);

    // The customer follows the ticket live while the technician sets out.
    const live = liveClient(url, me.token);
    try {
      const sub = live.subscribe(`subscription($id: ID!) { workOrderUpdated(id: $id) { kind workOrder { status eta } } }`, { id: ticket });
      await until(() => sub.started.length > 0, 'the subscription to start');
      expect(reasons(await gql(url, PROGRESS, { input: { workOrderId: ticket, status: 'EN_ROUTE', clientMutationId: randomUUID() } }, { token: agent }))).toEqual(['BAD_USER_INPUT:']);
      const enRoute = ok(await gql(url, PROGRESS, { input: { workOrderId: ticket, status: 'EN_ROUTE', etaMinutes: 30, clientMutationId: randomUUID() } }, { token: agent })).setVisitProgress as any;
      expect(enRoute.status).toBe('EN_ROUTE');
      expect(Math.abs(new Date(enRoute.eta).getTime() - (Date.now() + 30 * 60_000))).toBeLessThan(60_000);
      await until(() => sub.data.some((d) => d.workOrderUpdated.kind === 'visit_en_route' && d.workOrderUpdated.workOrder.eta === enRoute.eta), 'the ETA to reach the customer live');
      const later = ok(await gql(url, PROGRESS, { input: { workOrderId: ticket, status: 'EN_ROUTE', etaMinutes: 45, clientMutationId: randomUUID() } }, { token: agent })).setVisitProgress as any;
      await until(() => sub.data.some((d) => d.workOrderUpdated.workOrder.eta === later.eta), 'the new ETA to reach the customer live');
      const onSite = ok(await gql(url, PROGRESS, { input: { workOrderId: ticket, status: 'ON_SITE', clientMutationId: randomUUID() } }, { token: agent })).setVisitProgress as any;
      expect(onSite.status).toBe('ON_SITE');
      await until(() => sub.data.some((d) => d.workOrderUpdated.kind === 'visit_on_site'), 'on site to reach the customer live');
      // The customer was told by email that the technician is on the way, with the time.
      const OUTBOX = `query($to: String) { outboxEmails(to: $to, first: 50) { subject text } }`;
      const deadline = Date.now() + 15_000;
      let told: { subject: string; text: string }[] = [];
      while (Date.now() < deadline) {
        told = (ok(await gql(url, OUTBOX, { to: `visit-4-${t.slug}@example.com` }, { token: admin })).outboxEmails ?? []) as { subject: string; text: string }[];
        if (told.some((m) => /expected at/.test(m.text))) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(told.some((m) => /Your technician is on the way and expected at \d/.test(m.text)), JSON.stringify(told.map((m) => m.subject))).toBe(true);
      // An on-site visit is no longer the customer's to move.
      expect(reasons(await gql(url, CANCEL, { input: { workOrderId: ticket, clientMutationId: randomUUID() } }, { token: me.token }))).toEqual(['BAD_USER_INPUT:TICKET_NOT_BOOKABLE']);
    } finally {
      await live.dispose();
    }
  });
});

describe('capacity under contention', () => {
  it('gives the last seat of a slot to exactly one of 20 customers booking at once', async () => {
    const holder = customers[5]!;
    const all = customers.slice(6, 26);
    expect(all).toHaveLength(20);
    const tickets = await Promise.all(all.map((c) => openTicket(c.token)));
    const first = await openTicket(holder.token);
    const slot = (await slotsOf(holder.token, first)).find((s) => new Date(s.start).getTime() > Date.now() + 8 * DAY)!;
    ok(await gql(url, BOOK, { input: { workOrderId: first, slotId: slot.id, clientMutationId: randomUUID() } }, { token: holder.token }));
    expect((await slotsOf(all[0]!.token, tickets[0]!, new Date(slot.start).getTime(), 1)).find((s) => s.id === slot.id)).toMatchObject({ remaining: 1 });

    const results = await Promise.all(all.map((c, i) => gql(url, BOOK, { input: { workOrderId: tickets[i], slotId: slot.id, clientMutationId: randomUUID() } }, { token: c.token })));
    const won = results.filter((r) => !r.errors);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.errors).flatMap(reasons)).toEqual(Array(19).fill('CONFLICT:SLOT_FULL'));
    // The slot holds its two crews' visits and no more, on the board and in the database.
    const s = (await board(new Date(slot.start).getTime(), new Date(slot.start).getTime() + 1)).slots[0];
    expect(s).toMatchObject({ capacity: 2, booked: 2 });
    expect(s.visits.map((v: any) => v.crew.id).sort()).toEqual(['north', 'south']);
    const conn = await connectMongo('work-order', mongo);
    try {
      expect(await conn.collection('visitbookings').countDocuments({ active: true, slotStart: new Date(slot.start) })).toBe(2);
      // The losers' tickets were left as they were.
      const losers = tickets.filter((_, i) => results[i]!.errors);
      expect(await conn.collection('workorders').countDocuments({ _id: { $in: losers.map((id) => new Types.ObjectId(id)) }, visitWindow: { $exists: true } })).toBe(0);
    } finally {
      await conn.close();
    }
    // For a customer who lost (the winner's own seat counts as theirs), the slot is full.
    const loser = results.findIndex((r) => r.errors);
    expect((await slotsOf(all[loser]!.token, tickets[loser]!, new Date(slot.start).getTime(), 1)).find((x) => x.id === slot.id)).toMatchObject({ available: false, remaining: 0 });
  });
});

