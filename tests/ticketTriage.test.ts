/**
 * Working a ticket after it is opened: staff change its title, category, priority and type; the
 * reporter corrects its description or reopens it after resolution within the window; booking a
 * visit moves it to Scheduled; its call-backs show on it; staff insert the tenant's saved replies.
 * Each change is a timeline entry, and every rule is checked against the wrong caller too.
 */
import { randomUUID } from 'node:crypto';
import { connectMongo } from '@wisp/shared';
import { codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const url = inject('gatewayUrl');
const mongo = { uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') };

const OPEN = `mutation ($input: OpenTicketInput!) { openTicket(input: $input) { id status priority } }`;
const DETAILS = `mutation ($id: ID!, $input: TicketDetailsInput!) { updateTicketDetails(id: $id, input: $input) { id title category priority type timeline { from to byName change { field from to } } } }`;
const EDIT = `mutation ($id: ID!, $d: String!) { editTicketDescription(id: $id, description: $d) { description timeline { change { field from to } } } }`;
const REOPEN = `mutation ($id: ID!, $r: String) { reopenTicket(id: $id, reason: $r) { status reopenableUntil timeline { from to note } } }`;
const STATUS = `mutation ($id: ID!, $s: WorkOrderStatus!) { changeWorkOrderStatus(id: $id, status: $s) { status } }`;
const GET = `query ($id: ID!) { workOrder(id: $id) { status reopenableUntil callbacks { id note status } } }`;

let agent: string;
let admin: string;
let bob: string;
let alice: string;
let prairieAgent: string;

const open = async (token = bob, extra: Record<string, unknown> = {}) => {
  const r = await gql(url, OPEN, { input: { title: 'Router keeps dropping', description: 'Drops every evening.', category: 'INTERMITTENT', clientMutationId: randomUUID(), ...extra } }, { token });
  expect(r.errors).toBeUndefined();
  return r.data!.openTicket.id as string;
};

beforeAll(async () => {
  [agent, admin, bob, alice, prairieAgent] = await Promise.all([
    emulatorIdToken('agent@skyline.example', 'skyline'),
    emulatorIdToken('admin@skyline.example', 'skyline'),
    emulatorIdToken('bob@skyline.example', 'skyline'),
    emulatorIdToken('alice@skyline.example', 'skyline'),
    emulatorIdToken('agent@prairie.example', 'prairie'),
  ]);
});

describe('ticket triage by staff', () => {
  it('changes title, category, priority and type, one timeline entry per changed field, and publishes ticket.updated', async () => {
    const id = await open();
    const r = await gql(url, DETAILS, { id, input: { title: 'No service after storm', category: 'NO_SERVICE', priority: 'URGENT', type: 'SUPPORT' } }, { token: agent });
    expect(r.errors).toBeUndefined();
    const wo = r.data!.updateTicketDetails;
    expect(wo).toMatchObject({ title: 'No service after storm', category: 'NO_SERVICE', priority: 'URGENT', type: 'SUPPORT' });
    // The type did not change, so it has no entry.
    expect(wo.timeline.filter((t: { change: unknown }) => t.change).map((t: { change: unknown }) => t.change)).toEqual([
      { field: 'title', from: 'Router keeps dropping', to: 'No service after storm' },
      { field: 'category', from: 'INTERMITTENT', to: 'NO_SERVICE' },
      { field: 'priority', from: 'MEDIUM', to: 'URGENT' },
    ]);
    expect(wo.timeline.at(-1)).toMatchObject({ from: 'OPEN', to: 'OPEN', byName: 'Skyline Wireless Support' });

    // Saving the same values again changes nothing.
    const again = await gql(url, DETAILS, { id, input: { priority: 'URGENT' } }, { token: agent });
    expect(again.data!.updateTicketDetails.timeline).toHaveLength(wo.timeline.length);

    const updates: Record<string, unknown>[] = [];
    for (let after: string | null = null, more = true; more; ) {
      const feed: { data?: Record<string, any> | null; errors?: unknown[] } = await gql(url, `query ($after: String) { changes(after: $after, first: 500, types: ["ticket.updated"]) { cursor hasMore items { data } } }`, { after }, { token: admin });
      expect(feed.errors).toBeUndefined();
      updates.push(...(feed.data!.changes.items as { data: string }[]).map((i) => JSON.parse(i.data)));
      ({ cursor: after, hasMore: more } = feed.data!.changes);
    }
    const mine = updates.filter((d) => d.id === id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ fields: ['title', 'category', 'priority'], state: { priority: 'URGENT', category: 'NO_SERVICE', title: 'No service after storm' } });
  });

  it('counts how long a ticket has waited from its last status change, not from edits of its details', async () => {
    const id = await open();
    const since = async () => (await gql(url, `query ($id: ID!) { workOrder(id: $id) { createdAt statusSince } }`, { id }, { token: agent })).data!.workOrder as { createdAt: string; statusSince: string };
    const opened = await since();
    // Opening is its first entry into Open.
    expect(Math.abs(Date.parse(opened.statusSince) - Date.parse(opened.createdAt))).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 20));
    expect((await gql(url, DETAILS, { id, input: { priority: 'HIGH' } }, { token: agent })).errors).toBeUndefined();
    expect((await since()).statusSince).toBe(opened.statusSince);
    expect((await gql(url, STATUS, { id, s: 'IN_PROGRESS' }, { token: agent })).errors).toBeUndefined();
    const moved = (await since()).statusSince;
    expect(Date.parse(moved)).toBeGreaterThan(Date.parse(opened.statusSince));
    expect((await gql(url, DETAILS, { id, input: { category: 'EQUIPMENT' } }, { token: agent })).errors).toBeUndefined();
    expect((await since()).statusSince).toBe(moved);
  });

  it('refuses customers, other tenants, bad values, outage type changes and closed tickets', async () => {
    const id = await open();
    expect(codes(await gql(url, DETAILS, { id, input: { priority: 'URGENT' } }, { token: bob }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, DETAILS, { id, input: { priority: 'URGENT' } }, { token: prairieAgent }))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(url, DETAILS, { id, input: { priority: 'SOMEDAY' } }, { token: agent }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, DETAILS, { id, input: { title: 'x' } }, { token: agent }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, DETAILS, { id, input: { type: 'OUTAGE' } }, { token: agent }))).toEqual(['BAD_USER_INPUT']);

    await gql(url, STATUS, { id, s: 'RESOLVED' }, { token: agent });
    await gql(url, STATUS, { id, s: 'CLOSED' }, { token: agent });
    expect(codes(await gql(url, DETAILS, { id, input: { priority: 'LOW' } }, { token: agent }))).toEqual(['BAD_USER_INPUT']);
  });

  it('moves a ticket to Scheduled when a visit is booked, unless the technician is already on the way', async () => {
    const SCHEDULE = `mutation ($id: ID!, $s: String, $e: String) { scheduleVisit(id: $id, windowStart: $s, windowEnd: $e) { status visitWindow { start } } }`;
    const start = new Date(Date.now() + 2 * 24 * 3600_000).toISOString();
    const end = new Date(Date.now() + 2 * 24 * 3600_000 + 7200_000).toISOString();
    const id = await open();
    expect((await gql(url, SCHEDULE, { id, s: start, e: end }, { token: agent })).data!.scheduleVisit).toMatchObject({ status: 'SCHEDULED', visitWindow: { start } });

    const enRoute = await open();
    await gql(url, STATUS, { id: enRoute, s: 'IN_PROGRESS' }, { token: agent });
    await gql(url, STATUS, { id: enRoute, s: 'EN_ROUTE' }, { token: agent });
    expect((await gql(url, SCHEDULE, { id: enRoute, s: start, e: end }, { token: agent })).data!.scheduleVisit.status).toBe('EN_ROUTE');
  });
});

describe('the reporter’s own changes', () => {
  it('corrects the description of an open ticket, recorded without the old text; nobody else can', async () => {
    const id = await open();
    const r = await gql(url, EDIT, { id, d: 'Drops every evening after 7pm, lights on the radio go out.' }, { token: bob });
    expect(r.errors).toBeUndefined();
    expect(r.data!.editTicketDescription.description).toBe('Drops every evening after 7pm, lights on the radio go out.');
    expect(r.data!.editTicketDescription.timeline.at(-1).change).toEqual({ field: 'description', from: null, to: null });

    expect(codes(await gql(url, EDIT, { id, d: 'Mine now' }, { token: alice }))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(url, EDIT, { id, d: 'Staff words' }, { token: agent }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, EDIT, { id, d: '   ' }, { token: bob }))).toEqual(['BAD_USER_INPUT']);
    await gql(url, STATUS, { id, s: 'RESOLVED' }, { token: agent });
    expect(codes(await gql(url, EDIT, { id, d: 'Too late' }, { token: bob }))).toEqual(['BAD_USER_INPUT']);
  });

  describe('reopening', () => {
    let conn: Awaited<ReturnType<typeof connectMongo>>;
    beforeAll(async () => {
      conn = await connectMongo('work-order', mongo);
    });
    afterAll(async () => {
      await conn?.close();
    });

    it('reopens a resolved ticket within the window, back to In progress with a timeline entry', async () => {
      const id = await open();
      expect(codes(await gql(url, REOPEN, { id }, { token: bob }))).toEqual(['BAD_USER_INPUT']);
      await gql(url, STATUS, { id, s: 'RESOLVED' }, { token: agent });
      const until = (await gql(url, GET, { id }, { token: bob })).data!.workOrder.reopenableUntil as string;
      expect(new Date(until).getTime() - Date.now()).toBeGreaterThan(13 * 24 * 3600_000);
      // Staff see no such offer: it is the reporter's.
      expect((await gql(url, GET, { id }, { token: agent })).data!.workOrder.reopenableUntil).toBeNull();

      expect(codes(await gql(url, REOPEN, { id }, { token: alice }))).toEqual(['NOT_FOUND']);
      expect(codes(await gql(url, REOPEN, { id }, { token: agent }))).toEqual(['FORBIDDEN']);
      const r = await gql(url, REOPEN, { id, r: 'It dropped again last night.' }, { token: bob });
      expect(r.errors).toBeUndefined();
      expect(r.data!.reopenTicket).toMatchObject({ status: 'IN_PROGRESS', reopenableUntil: null });
      expect(r.data!.reopenTicket.timeline.at(-1)).toEqual({ from: 'RESOLVED', to: 'IN_PROGRESS', note: 'It dropped again last night.' });
    });

    it('refuses once the window has passed, and for a closed ticket', async () => {
      const id = await open();
      await gql(url, STATUS, { id, s: 'RESOLVED' }, { token: agent });
      await conn.collection('workorders').updateOne({ _id: new Types.ObjectId(id) }, { $set: { resolvedAt: new Date(Date.now() - 15 * 24 * 3600_000) } });
      expect((await gql(url, GET, { id }, { token: bob })).data!.workOrder.reopenableUntil).toBeNull();
      const late = await gql(url, REOPEN, { id }, { token: bob });
      expect(codes(late)).toEqual(['BAD_USER_INPUT']);
      expect(late.errors![0]!.extensions!.reason).toBe('REOPEN_WINDOW_PASSED');

      const closed = await open();
      await gql(url, STATUS, { id: closed, s: 'RESOLVED' }, { token: agent });
      await gql(url, STATUS, { id: closed, s: 'CLOSED' }, { token: agent });
      expect(codes(await gql(url, REOPEN, { id: closed }, { token: bob }))).toEqual(['BAD_USER_INPUT']);
    });
  });

  it('shows a ticket’s call-backs on it to the reporter and staff, not to anyone else', async () => {
    const id = await open();
    const note = `after 5pm ${randomUUID()}`;
    const cb = await gql(url, `mutation ($input: RequestCallbackInput!) { requestCallback(input: $input) { id } }`, { input: { workOrderId: id, preferredTime: new Date(Date.now() + 86_400_000).toISOString(), note, clientMutationId: randomUUID() } }, { token: bob });
    expect(cb.errors).toBeUndefined();
    const expected = [{ id: cb.data!.requestCallback.id, note, status: 'REQUESTED' }];
    expect((await gql(url, GET, { id }, { token: bob })).data!.workOrder.callbacks).toEqual(expected);
    expect((await gql(url, GET, { id }, { token: agent })).data!.workOrder.callbacks).toEqual(expected);
    expect(codes(await gql(url, GET, { id }, { token: prairieAgent }))).toEqual(['NOT_FOUND']);
  });
});

describe('saved replies', () => {
  const LIST = `{ cannedReplies { id title body updatedByName } }`;
  const SAVE = `mutation ($input: CannedReplyInput!) { saveCannedReply(input: $input) { id title body } }`;
  const DELETE = `mutation ($id: ID!) { deleteCannedReply(id: $id) }`;

  it('are managed by tenant admins, used by agents, and stay within their tenant', async () => {
    const title = `Reboot steps ${randomUUID().slice(0, 8)}`;
    const body = 'Please unplug the **power injector** for 30 seconds, then plug it back in.';
    const saved = await gql(url, SAVE, { input: { title, body } }, { token: admin });
    expect(saved.errors).toBeUndefined();
    const id = saved.data!.saveCannedReply.id as string;
    // A retried save of the same reply returns it; another body under the same title is a conflict.
    expect((await gql(url, SAVE, { input: { title: `  ${title.toUpperCase()} `, body } }, { token: admin })).data!.saveCannedReply.id).toBe(id);
    expect(codes(await gql(url, SAVE, { input: { title, body: 'Something else' } }, { token: admin }))).toEqual(['CONFLICT']);

    const listed = (await gql(url, LIST, {}, { token: agent })).data!.cannedReplies as { id: string; title: string; updatedByName: string }[];
    expect(listed.find((r) => r.id === id)).toMatchObject({ title, body, updatedByName: expect.any(String) });
    expect(((await gql(url, LIST, {}, { token: prairieAgent })).data!.cannedReplies as { id: string }[]).map((r) => r.id)).not.toContain(id);

    expect(codes(await gql(url, LIST, {}, { token: bob }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, SAVE, { input: { title: 'Agent made', body: 'x' } }, { token: agent }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, SAVE, { input: { title: '', body: 'x' } }, { token: admin }))).toEqual(['BAD_USER_INPUT']);

    const prairieAdmin = await emulatorIdToken('admin@prairie.example', 'prairie');
    expect(codes(await gql(url, SAVE, { input: { id, title: 'Taken over', body: 'x' } }, { token: prairieAdmin }))).toEqual(['NOT_FOUND']);
    expect((await gql(url, DELETE, { id }, { token: prairieAdmin })).data!.deleteCannedReply).toBe(false);

    const changed = await gql(url, SAVE, { input: { id, title, body: 'Unplug the injector for a full minute.' } }, { token: admin });
    expect(changed.data!.saveCannedReply.body).toBe('Unplug the injector for a full minute.');
    expect((await gql(url, DELETE, { id }, { token: admin })).data!.deleteCannedReply).toBe(true);
    expect(((await gql(url, LIST, {}, { token: agent })).data!.cannedReplies as { id: string }[]).map((r) => r.id)).not.toContain(id);
  });
});
