/** Work orders, outages and conversations through the gateway: the rules and the attacks on them. */
import { randomUUID } from 'node:crypto';
import { firebaseAuth, openOutbox } from '@wisp/shared';
import { openEventLog, type StoredEvent } from '@wisp/events';
import { authTenantIdFor, codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { customerId, workOrderId } from './demo.ts';

const url = inject('gatewayUrl');
const mongo = { uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') };
const base = url.replace(/\/graphql$/, '');
let alice: string, bob: string, carol: string, agent: string, admin: string, prairieAgent: string, prairieAlice: string;
let agentUid: string;
const events = await openEventLog(mongo);
const outbox = await openOutbox(mongo);

beforeAll(async () => {
  [alice, bob, carol, agent, admin, prairieAgent, prairieAlice] = await Promise.all([
    emulatorIdToken('alice@skyline.example', 'skyline'),
    emulatorIdToken('bob@skyline.example', 'skyline'),
    emulatorIdToken('carol@shared.example', 'skyline'),
    emulatorIdToken('agent@skyline.example', 'skyline'),
    emulatorIdToken('admin@skyline.example', 'skyline'),
    emulatorIdToken('agent@prairie.example', 'prairie'),
    emulatorIdToken('alice@prairie.example', 'prairie'),
  ]);
  agentUid = (await firebaseAuth().tenantManager().authForTenant(await authTenantIdFor('skyline')).getUserByEmail('agent@skyline.example')).uid;
});
afterAll(async () => {
  await events.close();
  await outbox.close();
});

const TICKET = /* GraphQL */ `
  id number title description status category priority site eta allowedTransitions
  customer { id name } contact { name phone email } affectedCustomers { id } affectedCount assignee { uid name }
  timeline { from to byName note } serviceSnapshot { planName cpeModel lastSeenAt site } publicUpdates { body }
  rating { score comment } messageCount unreadCount lastMessage { id body internal }
  messages(first: 100) { edges { node { id body authorKind internal readByCustomer readByStaff } } }
`;

const OPEN = `mutation($input: OpenTicketInput!) { openTicket(input: $input) { ${TICKET} } }`;
const GET = `query($id: ID!) { workOrder(id: $id) { ${TICKET} } }`;
const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id body internal authorKind authorName bodyHtml } }`;
const STATUS = `mutation($id: ID!, $status: WorkOrderStatus!, $note: String, $expected: WorkOrderStatus) { changeWorkOrderStatus(id: $id, status: $status, note: $note, expectedStatus: $expected) { id status timeline { from to } } }`;

async function openTicket(token: string, extra: Record<string, unknown> = {}) {
  const r = await gql(url, OPEN, { input: { title: 'No internet since this morning', description: 'The light on the radio is red.', category: 'NO_SERVICE', clientMutationId: randomUUID(), ...extra } }, { token });
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.openTicket;
}

/** Asks again until `done` holds (what another service does in reaction to an event), for up to 10 s. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function eventsFor(workOrder: string): Promise<StoredEvent[]> {
  const { events: all } = await events.readAfter(0, 100_000);
  return all.filter((e) => e.workOrderId === workOrder);
}

describe('opening tickets', () => {
  it('takes tenant and customer from the login only, numbers per tenant and snapshots the service server-side', async () => {
    const t = await openTicket(alice, { customerId: customerId('skyline', 'bob'), priority: 'URGENT' });
    expect(t.number).toMatch(/^SKY-\d{4,}$/);
    expect(t.customer.name).toBe('Alice Nguyen');
    expect(t.priority).toBe('MEDIUM');
    expect(t.status).toBe('OPEN');
    expect(t.site).toBe('Ridge Tower');
    expect(t.serviceSnapshot).toMatchObject({ planName: 'Valley 100', cpeModel: 'Ubiquiti LiteBeam 5AC', site: 'Ridge Tower' });
    expect(t.serviceSnapshot.lastSeenAt).toBeTruthy();
    expect(t.timeline).toEqual([{ from: null, to: 'OPEN', byName: 'Alice Nguyen', note: null }]);
    expect(t.allowedTransitions).toEqual([]);
    expect(t.affectedCustomers).toBeNull();
    const evs = await eventsFor(t.id);
    expect(evs.map((e) => e.kind)).toEqual(['created']);
    expect(evs[0]!.customerIds).toEqual([customerId('skyline', 'alice')]);
  });

  it('returns the original ticket when a create is retried with the same client mutation id, even concurrently', async () => {
    const clientMutationId = randomUUID();
    const input = { title: 'Retry me', description: 'Sent twice.', category: 'OTHER', clientMutationId };
    const results = await Promise.all([1, 2, 3].map(() => gql(url, OPEN, { input }, { token: bob })));
    const ids = new Set(results.map((r) => r.data?.openTicket.id));
    expect(results.map((r) => r.errors)).toEqual([undefined, undefined, undefined]);
    expect(ids.size).toBe(1);
    const list = await gql(url, `{ viewer { customer { tickets(first: 100) { edges { node { title } } } } } }`, {}, { token: bob });
    expect(list.data!.viewer.customer.tickets.edges.filter((e: any) => e.node.title === 'Retry me')).toHaveLength(1);
    // Another customer's same key is a different ticket.
    const other = await gql(url, OPEN, { input }, { token: carol });
    expect(other.data!.openTicket.id).not.toBe([...ids][0]);
  });

  it('never gives two tickets the same number under concurrent creates', async () => {
    const made = await Promise.all(Array.from({ length: 6 }, (_, i) => openTicket(i % 2 ? alice : bob)));
    const numbers = made.map((t) => t.number);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it("filters a customer's own list by status", async () => {
    const t = await openTicket(carol);
    await gql(url, STATUS, { id: t.id, status: 'WAITING_ON_CUSTOMER' }, { token: agent });
    const Q = `query($s: [WorkOrderStatus!]) { viewer { customer { tickets(first: 100, status: $s) { edges { node { id status } } } } } }`;
    const waiting = (await gql(url, Q, { s: ['WAITING_ON_CUSTOMER'] }, { token: carol })).data!.viewer.customer.tickets.edges.map((e: any) => e.node);
    expect(waiting.map((n: any) => n.id)).toContain(t.id);
    expect(waiting.every((n: any) => n.status === 'WAITING_ON_CUSTOMER')).toBe(true);
    const open = (await gql(url, Q, { s: ['OPEN'] }, { token: carol })).data!.viewer.customer.tickets.edges.map((e: any) => e.node.id);
    expect(open).not.toContain(t.id);
  });

  it('rejects bad input with every field problem and writes nothing', async () => {
    const before = await gql(url, `{ viewer { customer { tickets(first: 100) { edges { node { id } } } } } }`, {}, { token: carol });
    const r = await gql(url, OPEN, { input: { title: ' ', description: 'x'.repeat(10_001), category: 'OTHER', clientMutationId: 'bad id!', contactEmail: 'nope' } }, { token: carol });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    const problems = r.errors![0]!.extensions!.problems as { field: string }[];
    expect(problems.map((p) => p.field).sort()).toEqual(['clientMutationId', 'contactEmail', 'description', 'title']);
    expect(JSON.stringify(r)).not.toMatch(/at \w+ \(|node_modules/);
    const badEnum = await gql(url, OPEN, { input: { title: 'Valid title', description: 'd', category: 'HACKED', clientMutationId: randomUUID() } }, { token: carol });
    expect(codes(badEnum)[0]).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
    const after = await gql(url, `{ viewer { customer { tickets(first: 100) { edges { node { id } } } } } }`, {}, { token: carol });
    expect(after.data!.viewer.customer.tickets.edges.length).toBe(before.data!.viewer.customer.tickets.edges.length);
  });

  it('lets staff open a ticket for one of their customers but not for another tenant’s', async () => {
    const own = await gql(url, OPEN, { input: { title: 'Phoned in', description: 'Called support.', category: 'EQUIPMENT', clientMutationId: randomUUID(), customerId: customerId('skyline', 'dave'), priority: 'HIGH' } }, { token: agent });
    expect(own.data!.openTicket).toMatchObject({ priority: 'HIGH', customer: { id: customerId('skyline', 'dave') } });
    const foreign = await gql(url, OPEN, { input: { title: 'Phoned in', description: 'x', category: 'OTHER', clientMutationId: randomUUID(), customerId: customerId('prairie', 'alice') } }, { token: agent });
    expect(codes(foreign)).toEqual(['NOT_FOUND']);
  });
});

describe('visibility', () => {
  it("answers another customer's or tenant's ticket exactly like an unknown one, for reads and every mutation", async () => {
    const t = await openTicket(alice);
    const attempts: [string, string, Record<string, unknown>][] = [
      [bob, GET, { id: t.id }],
      [prairieAgent, GET, { id: t.id }],
      [prairieAlice, GET, { id: t.id }],
      [bob, `mutation($id: ID!) { cancelTicket(id: $id) { id } }`, { id: t.id }],
      [bob, SEND, { input: { workOrderId: t.id, body: 'hi', clientMutationId: randomUUID() } }],
      [prairieAgent, STATUS, { id: t.id, status: 'IN_PROGRESS' }],
      [prairieAgent, SEND, { input: { workOrderId: t.id, body: 'hi', clientMutationId: randomUUID(), internal: true } }],
      [bob, `mutation($id: ID!) { markConversationRead(workOrderId: $id) { id } }`, { id: t.id }],
      [alice, GET, { id: '0123456789abcdef01234567' }],
      [alice, GET, { id: 'not-an-id' }],
    ];
    for (const [token, q, vars] of attempts) {
      const r = await gql(url, q, vars, { token });
      expect(codes(r), q).toEqual(['NOT_FOUND']);
      expect(JSON.stringify(r.data ?? null)).not.toContain('No internet since');
    }
    const staff = await gql(url, GET, { id: t.id }, { token: agent });
    expect(staff.data!.workOrder.allowedTransitions).toContain('IN_PROGRESS');
  });

  it('lets customers only cancel their own open ticket; staff move statuses', async () => {
    const t = await openTicket(alice);
    const byCustomer = await gql(url, STATUS, { id: t.id, status: 'RESOLVED' }, { token: alice });
    expect(codes(byCustomer)).toEqual(['FORBIDDEN']);
    const queue = await gql(url, `{ workOrderQueue { edges { node { id } } } }`, {}, { token: alice });
    expect(codes(queue)).toEqual(['FORBIDDEN']);
    const cancel = await gql(url, `mutation($id: ID!) { cancelTicket(id: $id, reason: "Works again") { status timeline { from to note } } }`, { id: t.id }, { token: alice });
    expect(cancel.data!.cancelTicket.status).toBe('CANCELLED');
    expect(cancel.data!.cancelTicket.timeline.at(-1)).toEqual({ from: 'OPEN', to: 'CANCELLED', note: 'Works again' });
    const again = await gql(url, `mutation($id: ID!) { cancelTicket(id: $id) { status } }`, { id: t.id }, { token: alice });
    expect(again.data!.cancelTicket.status).toBe('CANCELLED');
    const reopen = await gql(url, STATUS, { id: t.id, status: 'OPEN' }, { token: agent });
    expect(codes(reopen)).toEqual(['BAD_USER_INPUT']);

    const t2 = await openTicket(alice);
    await gql(url, STATUS, { id: t2.id, status: 'IN_PROGRESS' }, { token: agent });
    const late = await gql(url, `mutation($id: ID!) { cancelTicket(id: $id) { status } }`, { id: t2.id }, { token: alice });
    expect(codes(late)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('status transitions', () => {
  it('follows the table, posts a system message and a timeline entry, and rejects the rest', async () => {
    const t = await openTicket(bob);
    const ok = await gql(url, STATUS, { id: t.id, status: 'SCHEDULED', note: 'Tech visit Tuesday.' }, { token: agent });
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.changeWorkOrderStatus.timeline.at(-1)).toEqual({ from: 'OPEN', to: 'SCHEDULED' });
    const bad = await gql(url, STATUS, { id: t.id, status: 'CLOSED' }, { token: agent });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(bad.errors![0]!.extensions!.allowed).toContain('EN_ROUTE');
    const stale = await gql(url, STATUS, { id: t.id, status: 'EN_ROUTE', expected: 'OPEN' }, { token: agent });
    expect(codes(stale)).toEqual(['CONFLICT']);
    for (const s of ['EN_ROUTE', 'ON_SITE', 'RESOLVED']) {
      const r = await gql(url, STATUS, { id: t.id, status: s }, { token: agent });
      expect(r.errors, s).toBeUndefined();
    }
    // The conversation is messaging's: it writes the system lines when it sees the status events.
    const systemLines = (w: any) => w.messages.edges.map((e: any) => e.node).filter((m: any) => m.authorKind === 'SYSTEM');
    const wo = await eventually(
      async () => (await gql(url, GET, { id: t.id }, { token: bob })).data!.workOrder,
      (w) => systemLines(w).length >= 4,
    );
    expect(wo.status).toBe('RESOLVED');
    expect(wo.timeline.map((e: any) => e.to)).toEqual(['OPEN', 'SCHEDULED', 'EN_ROUTE', 'ON_SITE', 'RESOLVED']);
    expect(systemLines(wo).map((m: any) => m.body)).toEqual([
      'Status changed from Open to Scheduled. Tech visit Tuesday.',
      'Status changed from Scheduled to En route.',
      'Status changed from En route to On site.',
      'Status changed from On site to Resolved.',
    ]);
    const kinds = (await eventually(() => eventsFor(t.id), (evs) => evs.filter((e) => e.kind === 'message_added').length >= 4)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'status_changed')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'message_added')).toHaveLength(4);
  });

  it('lets exactly one of two concurrent changes from the same status win', async () => {
    const t = await openTicket(bob);
    const [a, b] = await Promise.all([
      // Both saw it OPEN (as the staff page sends it); whichever comes second must not silently apply.
      gql(url, STATUS, { id: t.id, status: 'IN_PROGRESS', expected: 'OPEN' }, { token: agent }),
      gql(url, STATUS, { id: t.id, status: 'WAITING_ON_CUSTOMER', expected: 'OPEN' }, { token: admin }),
    ]);
    const outcomes = [codes(a)[0] ?? 'ok', codes(b)[0] ?? 'ok'].sort();
    expect(outcomes).toEqual(['CONFLICT', 'ok']);
    const wo = (await gql(url, GET, { id: t.id }, { token: agent })).data!.workOrder;
    expect(wo.timeline).toHaveLength(2);
  });

  it('schedules visits and ETAs with checked dates, and rates resolved tickets once', async () => {
    const t = await openTicket(alice);
    const badWindow = await gql(url, `mutation($id: ID!) { scheduleVisit(id: $id, windowStart: "2030-01-02T10:00:00Z", windowEnd: "2030-01-02T09:00:00Z") { id } }`, { id: t.id }, { token: agent });
    expect(codes(badWindow)).toEqual(['BAD_USER_INPUT']);
    const badDate = await gql(url, `mutation($id: ID!) { setWorkOrderEta(id: $id, eta: "tomorrow-ish") { id } }`, { id: t.id }, { token: agent });
    expect(codes(badDate)).toEqual(['BAD_USER_INPUT']);
    const sched = await gql(url, `mutation($id: ID!) { scheduleVisit(id: $id, windowStart: "2030-01-02T09:00:00Z", windowEnd: "2030-01-02T11:00:00Z") { visitWindow { start end } } }`, { id: t.id }, { token: agent });
    expect(sched.data!.scheduleVisit.visitWindow).toEqual({ start: '2030-01-02T09:00:00.000Z', end: '2030-01-02T11:00:00.000Z' });
    const eta = await gql(url, `mutation($id: ID!) { setWorkOrderEta(id: $id, eta: "2030-01-02T10:30:00Z") { eta } }`, { id: t.id }, { token: agent });
    expect(eta.data!.setWorkOrderEta.eta).toBe('2030-01-02T10:30:00.000Z');
    const byCustomer = await gql(url, `mutation($id: ID!) { setWorkOrderEta(id: $id, eta: null) { eta } }`, { id: t.id }, { token: alice });
    expect(codes(byCustomer)).toEqual(['FORBIDDEN']);

    const RATE = `mutation($id: ID!, $score: Int!) { rateTicket(id: $id, score: $score, comment: "Quick fix") { rating { score comment } } }`;
    expect(codes(await gql(url, RATE, { id: t.id, score: 5 }, { token: alice }))).toEqual(['BAD_USER_INPUT']);
    await gql(url, STATUS, { id: t.id, status: 'RESOLVED' }, { token: agent });
    expect(codes(await gql(url, RATE, { id: t.id, score: 6 }, { token: alice }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, RATE, { id: t.id, score: 4 }, { token: bob }))).toEqual(['NOT_FOUND']);
    const rated = await gql(url, RATE, { id: t.id, score: 4 }, { token: alice });
    expect(rated.data!.rateTicket.rating).toEqual({ score: 4, comment: 'Quick fix' });
    expect(codes(await gql(url, RATE, { id: t.id, score: 1 }, { token: alice }))).toEqual(['CONFLICT']);
    const kinds = (await eventsFor(t.id)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['scheduled', 'eta_changed', 'status_changed', 'rated']));
  });
});

describe('conversations and internal notes', () => {
  it('never shows a customer an internal note: not in lists, counts, previews, lookups or events', async () => {
    const t = await openTicket(alice);
    const secret = `secret-${randomUUID()}`;
    const reply = await gql(url, SEND, { input: { workOrderId: t.id, body: 'We are **on it**.', clientMutationId: randomUUID() } }, { token: agent });
    expect(reply.data!.sendMessage.bodyHtml).toBe('<p>We are <strong>on it</strong>.</p>');
    const note = await gql(url, SEND, { input: { workOrderId: t.id, body: secret, internal: true, clientMutationId: randomUUID() } }, { token: agent });
    expect(note.data!.sendMessage.internal).toBe(true);
    const noteId = note.data!.sendMessage.id;

    const mine = await gql(url, GET, { id: t.id }, { token: alice });
    const wo = mine.data!.workOrder;
    expect(JSON.stringify(mine)).not.toContain(secret);
    expect(wo.messageCount).toBe(1);
    expect(wo.unreadCount).toBe(1);
    expect(wo.lastMessage.id).toBe(reply.data!.sendMessage.id);
    expect(wo.messages.edges.map((e: any) => e.node.id)).not.toContain(noteId);
    const lookup = await gql(url, `query($id: ID!) { message(id: $id) { body } }`, { id: noteId }, { token: alice });
    expect(codes(lookup)).toEqual(['NOT_FOUND']);
    const list = await gql(url, `{ viewer { customer { tickets(first: 100) { edges { node { id messageCount lastMessage { body } messages { edges { node { body } } } } } } } } }`, {}, { token: alice });
    expect(JSON.stringify(list)).not.toContain(secret);

    const staff = await gql(url, GET, { id: t.id }, { token: agent });
    expect(staff.data!.workOrder.messageCount).toBe(2);
    expect(staff.data!.workOrder.lastMessage.id).toBe(noteId);
    expect((await gql(url, `query($id: ID!) { message(id: $id) { body } }`, { id: noteId }, { token: agent })).data!.message.body).toBe(secret);

    const evs = await eventsFor(t.id);
    expect(evs.find((e) => e.entityId === noteId)).toMatchObject({ kind: 'internal_note_added', internal: true });
    expect(evs.find((e) => e.entityId === reply.data!.sendMessage.id)).toMatchObject({ kind: 'message_added', internal: false });

    // A customer's own message is readable by her and her provider's staff only.
    const own = await gql(url, SEND, { input: { workOrderId: t.id, body: 'My router model is X1', clientMutationId: randomUUID() } }, { token: alice });
    const ownId = own.data!.sendMessage.id;
    for (const token of [bob, prairieAgent, prairieAlice]) {
      expect(codes(await gql(url, `query($id: ID!) { message(id: $id) { body } }`, { id: ownId }, { token }))).toEqual(['NOT_FOUND']);
    }
    expect((await gql(url, `query($id: ID!) { message(id: $id) { body workOrder { id } } }`, { id: ownId }, { token: alice })).data!.message.workOrder.id).toBe(t.id);

    const forged = await gql(url, SEND, { input: { workOrderId: t.id, body: 'let me in', internal: true, clientMutationId: randomUUID() } }, { token: alice });
    expect(codes(forged)).toEqual(['FORBIDDEN']);
  });

  it('is idempotent per client mutation id and rejects empty or oversize messages', async () => {
    const t = await openTicket(alice);
    const clientMutationId = randomUUID();
    const send = () => gql(url, SEND, { input: { workOrderId: t.id, body: 'Still down', clientMutationId } }, { token: alice });
    const [a, b] = await Promise.all([send(), send()]);
    expect(a.data!.sendMessage.id).toBe(b.data!.sendMessage.id);
    const wo = await gql(url, GET, { id: t.id }, { token: alice });
    expect(wo.data!.workOrder.messages.edges.filter((e: any) => e.node.body === 'Still down')).toHaveLength(1);
    for (const body of ['', '   ', 'x'.repeat(10_001)]) {
      const r = await gql(url, SEND, { input: { workOrderId: t.id, body, clientMutationId: randomUUID() } }, { token: alice });
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    }
    const html = await gql(url, SEND, { input: { workOrderId: t.id, body: '<script>alert(1)</script>', clientMutationId: randomUUID() } }, { token: alice });
    expect(html.data!.sendMessage.bodyHtml).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  });

  it('records read receipts both ways', async () => {
    const t = await openTicket(bob);
    await gql(url, SEND, { input: { workOrderId: t.id, body: 'Hello?', clientMutationId: randomUUID() } }, { token: bob });
    const before = await gql(url, GET, { id: t.id }, { token: agent });
    expect(before.data!.workOrder.unreadCount).toBe(1);
    expect(before.data!.workOrder.messages.edges[0].node.readByStaff).toBe(false);
    await gql(url, `mutation($id: ID!) { markConversationRead(workOrderId: $id) { id unreadCount } }`, { id: t.id }, { token: agent });
    const after = await gql(url, GET, { id: t.id }, { token: bob });
    expect(after.data!.workOrder.messages.edges[0].node).toMatchObject({ readByStaff: true, readByCustomer: false });
    expect((await eventsFor(t.id)).map((e) => e.kind)).toContain('read_receipt');
  });
});

describe('outages', () => {
  const OUTAGE = `mutation($input: CreateOutageInput!) { createOutage(input: $input) { id number type status affectedCount affectedCustomers { id } } }`;

  it('fills the affected customers from the site, and shows a customer only what concerns them', async () => {
    const clientMutationId = randomUUID();
    const input = { title: 'Ridge Tower backhaul down', description: 'Fibre cut near the tower.', site: 'Ridge Tower', eta: '2030-01-01T12:00:00Z', clientMutationId };
    const made = await gql(url, OUTAGE, { input }, { token: agent });
    expect(made.errors).toBeUndefined();
    const o = made.data!.createOutage;
    expect(o.type).toBe('OUTAGE');
    // Everyone served from the tower at that moment (other tests add customers there too), and nobody elsewhere.
    const affected = o.affectedCustomers.map((c: any) => c.id);
    expect(affected).toEqual(expect.arrayContaining(['alice', 'bob', 'dave'].map((k) => customerId('skyline', k))));
    expect(affected).not.toContain(customerId('skyline', 'carol'));
    expect(o.affectedCount).toBe(affected.length);
    expect((await gql(url, OUTAGE, { input }, { token: agent })).data!.createOutage.id).toBe(o.id);

    const ACTIVE = `{ activeOutages { id title status eta affectedCount affectedCustomers { id } timeline { to } assignee { uid } publicUpdates { body } customer { id } } }`;
    for (const token of [alice, bob]) {
      const r = await gql(url, ACTIVE, {}, { token });
      const mine = r.data!.activeOutages.find((x: any) => x.id === o.id);
      expect(mine).toMatchObject({ title: 'Ridge Tower backhaul down', eta: '2030-01-01T12:00:00.000Z', affectedCount: null, affectedCustomers: null, timeline: null, assignee: null, customer: null });
    }
    const carols = await gql(url, ACTIVE, {}, { token: carol });
    expect(carols.data!.activeOutages.map((x: any) => x.id)).not.toContain(o.id);
    expect(codes(await gql(url, GET, { id: o.id }, { token: carol }))).toEqual(['NOT_FOUND']);

    const UPDATE = `mutation($id: ID!, $key: String!) { postOutageUpdate(id: $id, body: "Crew on site", eta: "2030-01-01T10:00:00Z", clientMutationId: $key) { publicUpdates { body } eta } }`;
    const key = randomUUID();
    await gql(url, UPDATE, { id: o.id, key }, { token: agent });
    const twice = await gql(url, UPDATE, { id: o.id, key }, { token: agent });
    expect(twice.data!.postOutageUpdate.publicUpdates).toEqual([{ body: 'Crew on site' }]);
    const seen = await gql(url, ACTIVE, {}, { token: alice });
    expect(seen.data!.activeOutages.find((x: any) => x.id === o.id)).toMatchObject({ publicUpdates: [{ body: 'Crew on site' }], eta: '2030-01-01T10:00:00.000Z' });
    expect(codes(await gql(url, UPDATE, { id: o.id, key: randomUUID() }, { token: alice }))).toEqual(['FORBIDDEN']);

    // Affected customers read the outage's public conversation but cannot write in it.
    const post = await gql(url, SEND, { input: { workOrderId: o.id, body: 'Me too', clientMutationId: randomUUID() } }, { token: alice });
    expect(codes(post)).toEqual(['FORBIDDEN']);
    const evs = await eventsFor(o.id);
    expect(evs.map((e) => e.kind)).toEqual(['outage_created', 'outage_updated']);
    expect(evs[0]).toMatchObject({ outage: true, internal: false });
    // The event names exactly the customers the outage affects.
    expect([...evs[0]!.customerIds].sort()).toEqual([...affected].sort());
    await gql(url, STATUS, { id: o.id, status: 'RESOLVED' }, { token: agent });
    expect((await gql(url, ACTIVE, {}, { token: alice })).data!.activeOutages.map((x: any) => x.id)).not.toContain(o.id);
  });

  it('refuses outages naming another tenant’s customers, unknown sites, or created by customers', async () => {
    const foreign = await gql(url, OUTAGE, { input: { title: 'Bad list', description: 'x', customerIds: [customerId('prairie', 'alice')], clientMutationId: randomUUID() } }, { token: agent });
    expect(codes(foreign)).toEqual(['BAD_USER_INPUT']);
    const nowhere = await gql(url, OUTAGE, { input: { title: 'Bad site', description: 'x', site: 'Nowhere Tower', clientMutationId: randomUUID() } }, { token: agent });
    expect(codes(nowhere)).toEqual(['BAD_USER_INPUT']);
    const byCustomer = await gql(url, OUTAGE, { input: { title: 'Mine', description: 'x', site: 'Ridge Tower', clientMutationId: randomUUID() } }, { token: alice });
    expect(codes(byCustomer)).toEqual(['FORBIDDEN']);
  });
});

describe('queue, assignment, call-backs and agent notifications', () => {
  it('filters the queue by status, text and number; never across tenants', async () => {
    const t = await openTicket(bob, { title: `Zebra antenna ${randomUUID().slice(0, 8)}` });
    const Q = `query($f: WorkOrderQueueFilter) { workOrderQueue(filter: $f, first: 100) { edges { node { id number } } } }`;
    const byText = await gql(url, Q, { f: { text: t.title.slice(0, 20) } }, { token: agent });
    expect(byText.data!.workOrderQueue.edges.map((e: any) => e.node.id)).toEqual([t.id]);
    const byNumber = await gql(url, Q, { f: { text: t.number.toLowerCase() } }, { token: agent });
    expect(byNumber.data!.workOrderQueue.edges.map((e: any) => e.node.number)).toContain(t.number);
    const closed = await gql(url, Q, { f: { status: ['CLOSED'], text: t.title } }, { token: agent });
    expect(closed.data!.workOrderQueue.edges).toEqual([]);
    const regex = await gql(url, Q, { f: { text: '.*(' } }, { token: agent });
    expect(regex.errors).toBeUndefined();
    const prairie = await gql(url, Q, { f: { text: t.number } }, { token: prairieAgent });
    expect(prairie.data!.workOrderQueue.edges).toEqual([]);
  });

  it('notifies the assigned agent of customer messages and call-backs, with a branded email', async () => {
    const t = await openTicket(bob);
    const unknown = await gql(url, `mutation($id: ID!) { assignWorkOrder(id: $id, assigneeUid: "nobody") { id } }`, { id: t.id }, { token: agent });
    expect(codes(unknown)).toEqual(['BAD_USER_INPUT']);
    const assigned = await gql(url, `mutation($id: ID!, $uid: ID) { assignWorkOrder(id: $id, assigneeUid: $uid) { assignee { uid name } } }`, { id: t.id, uid: agentUid }, { token: admin });
    expect(assigned.data!.assignWorkOrder.assignee).toEqual({ uid: agentUid, name: 'Skyline Wireless Support' });
    expect((await gql(url, GET, { id: t.id }, { token: bob })).data!.workOrder.assignee).toBeNull();

    const words = `Please hurry ${randomUUID()}`;
    await gql(url, SEND, { input: { workOrderId: t.id, body: words, clientMutationId: randomUUID() } }, { token: bob });
    const note = `note-${randomUUID()}`;
    await gql(url, SEND, { input: { workOrderId: t.id, body: note, internal: true, clientMutationId: randomUUID() } }, { token: agent });
    const CB = `mutation($input: RequestCallbackInput!) { requestCallback(input: $input) { id status workOrder { id } } }`;
    const cbKey = randomUUID();
    const cb1 = await gql(url, CB, { input: { workOrderId: t.id, preferredTime: '2030-01-01T15:00:00Z', phone: '+1 555 0102', clientMutationId: cbKey } }, { token: bob });
    const cb2 = await gql(url, CB, { input: { workOrderId: t.id, preferredTime: '2030-01-01T15:00:00Z', clientMutationId: cbKey } }, { token: bob });
    expect(cb1.data!.requestCallback.id).toBe(cb2.data!.requestCallback.id);
    expect(codes(await gql(url, CB, { input: { workOrderId: t.id, preferredTime: 'soon', clientMutationId: randomUUID() } }, { token: bob }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, CB, { input: { workOrderId: workOrderId('skyline', 1001), preferredTime: '2030-01-01T15:00:00Z', clientMutationId: randomUUID() } }, { token: bob }))).toEqual(['NOT_FOUND']);

    // A call-back about no ticket in particular reaches every agent.
    const loose = await gql(url, CB, { input: { preferredTime: '2030-01-02T09:00:00Z', note: `no ticket ${cbKey}`, clientMutationId: randomUUID() } }, { token: bob });
    expect(loose.errors).toBeUndefined();
    expect(loose.data!.requestCallback.workOrder).toBeNull();
    const N = `{ agentNotifications(first: 100) { unreadCount items { id kind title body workOrder { id } read } } }`;
    const looseFor = async (token: string) => (await gql(url, N, {}, { token })).data!.agentNotifications.items.filter((n: any) => n.body.includes(`no ticket ${cbKey}`));
    // Staff alerts are written by messaging when it sees the call-back's event: a moment later.
    expect((await eventually(() => looseFor(agent), (ns) => ns.length > 0)).map((n: any) => n.kind)).toEqual(['CALLBACK_REQUESTED']);
    expect((await eventually(() => looseFor(admin), (ns) => ns.length > 0)).map((n: any) => n.kind)).toEqual(['CALLBACK_REQUESTED']);
    // The ticket behind a call-back resolves whole, for the customer who asked and for staff.
    const other = await openTicket(bob);
    const full = await gql(url, `mutation($input: RequestCallbackInput!) { requestCallback(input: $input) { id workOrder { ${TICKET} } } }`, { input: { workOrderId: other.id, preferredTime: '2030-01-03T10:00:00Z', clientMutationId: randomUUID() } }, { token: bob });
    expect(full.errors, JSON.stringify(full.errors)).toBeUndefined();
    expect(full.data!.requestCallback.workOrder).toMatchObject({ id: other.id, number: other.number, title: other.title, status: 'OPEN', customer: { name: expect.any(String) } });
    const listedWhole = await gql(url, `{ callbackRequests(first: 100) { id workOrder { ${TICKET} } } }`, {}, { token: agent });
    expect(listedWhole.errors, JSON.stringify(listedWhole.errors)).toBeUndefined();
    expect(listedWhole.data!.callbackRequests.find((c: any) => c.id === full.data!.requestCallback.id).workOrder).toMatchObject({ id: other.id, number: other.number, title: other.title, status: 'OPEN' });
    const callbacks = await gql(url, `{ callbackRequests(status: REQUESTED, first: 100) { id note customer { id } } }`, {}, { token: agent });
    expect(callbacks.data!.callbackRequests.find((c: any) => c.id === loose.data!.requestCallback.id)).toMatchObject({ customer: { id: customerId('skyline', 'bob') } });
    expect(codes(await gql(url, `{ callbackRequests { id } }`, {}, { token: bob }))).toEqual(['FORBIDDEN']);
    const COMPLETE = `mutation($id: ID!) { completeCallback(id: $id) { status } }`;
    expect(codes(await gql(url, COMPLETE, { id: loose.data!.requestCallback.id }, { token: prairieAgent }))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(url, COMPLETE, { id: loose.data!.requestCallback.id }, { token: bob }))).toEqual(['FORBIDDEN']);
    expect((await gql(url, COMPLETE, { id: loose.data!.requestCallback.id }, { token: agent })).data!.completeCallback.status).toBe('DONE');
    const mine = await eventually(async () => (await gql(url, N, {}, { token: agent })).data!.agentNotifications, (m) => m.items.filter((n: any) => n.workOrder?.id === t.id).length >= 3);
    const forTicket = mine.items.filter((n: any) => n.workOrder?.id === t.id);
    expect(forTicket.map((n: any) => n.kind).sort()).toEqual(['CALLBACK_REQUESTED', 'CUSTOMER_MESSAGE', 'TICKET_CREATED']);
    expect(JSON.stringify(mine)).not.toContain(note);
    // Assigned: the admin hears of the new ticket (unassigned then) but not of the later message.
    const adminItems = (await gql(url, N, {}, { token: admin })).data!.agentNotifications.items.filter((n: any) => n.workOrder?.id === t.id);
    expect(adminItems.map((n: any) => n.kind)).toEqual(['TICKET_CREATED']);
    expect(codes(await gql(url, N, {}, { token: bob }))).toEqual(['FORBIDDEN']);

    const read = await gql(url, `mutation($id: ID!) { markAgentNotificationRead(id: $id) { read } }`, { id: forTicket[0].id }, { token: agent });
    expect(read.data!.markAgentNotificationRead.read).toBe(true);
    expect(codes(await gql(url, `mutation($id: ID!) { markAgentNotificationRead(id: $id) { read } }`, { id: forTicket[0].id }, { token: admin }))).toEqual(['NOT_FOUND']);

    const mails = await outbox.list({ to: 'agent@skyline.example', kind: 'agent-notification', limit: 200 });
    const aboutMessage = mails.find((m) => m.text.includes(words));
    expect(aboutMessage?.html).toContain('Skyline Wireless');
    expect(mails.some((m) => m.text.includes(note) || m.html.includes(note))).toBe(false);
    expect(mails.filter((m) => m.text.includes(words))).toHaveLength(1);
  });
});

describe('attachments', () => {
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('rest-of-a-png')]);
  const upload = (token: string | null, workOrder: string, body: Buffer, filename = 'photo.png') =>
    fetch(`${base}/attachments?workOrderId=${workOrder}&filename=${encodeURIComponent(filename)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body,
    });
  const download = (token: string | null, id: string) => fetch(`${base}/attachments/${id}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('stores images by content type, serves them only to those who may see the ticket', async () => {
    const t = await openTicket(alice);
    const res = await upload(alice, t.id, png, 'evil.exe');
    expect(res.status).toBe(201);
    const a = (await res.json()) as { id: string; contentType: string; filename: string };
    expect(a.contentType).toBe('image/png');
    expect(a.filename).toBe('evil.exe.png');
    const got = await download(alice, a.id);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await got.arrayBuffer()).equals(png)).toBe(true);
    expect((await download(agent, a.id)).status).toBe(200);
    for (const token of [bob, prairieAgent]) expect((await download(token, a.id)).status).toBe(404);
    expect((await download(null, a.id)).status).toBe(401);
    expect((await download(alice, 'nope')).status).toBe(404);
    const listed = await gql(url, `query($id: ID!) { workOrder(id: $id) { attachments { id filename contentType size url } } }`, { id: t.id }, { token: alice });
    expect(listed.data!.workOrder.attachments).toEqual([{ id: a.id, filename: 'evil.exe.png', contentType: 'image/png', size: png.length, url: `/attachments/${a.id}` }]);
  });

  it('stores a file larger than one chunk and gives back the same bytes; the subgraph refuses unsigned callers', async () => {
    const t = await openTicket(bob);
    const big = Buffer.concat([png, Buffer.alloc(9 * 1024 * 1024, 7)]);
    big.writeUInt32BE(0xdeadbeef, big.length - 4);
    const res = await upload(bob, t.id, big, 'scan.png');
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const got = Buffer.from(await (await download(bob, id)).arrayBuffer());
    expect(got.length).toBe(big.length);
    expect(got.equals(big)).toBe(true);
    const direct = inject('subgraphUrls').messaging.replace(/\/graphql$/, '');
    expect((await fetch(`${direct}/attachments/${id}`)).status).toBe(401);
  }, 60_000);

  it('refuses wrong types, oversize files, other people’s tickets and files of internal notes', async () => {
    const t = await openTicket(alice);
    const text = await upload(alice, t.id, Buffer.from('just text pretending'), 'photo.png');
    expect(text.status).toBe(415);
    expect(((await text.json()) as any).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const big = await upload(alice, t.id, Buffer.concat([png, Buffer.alloc(10 * 1024 * 1024)]));
    expect(big.status).toBe(413);
    expect((await upload(bob, t.id, png)).status).toBe(404);
    expect((await upload(null, t.id, png)).status).toBe(401);

    const staffFile = (await (await upload(agent, t.id, Buffer.from('%PDF-1.4 internal diagram'), 'diagram.pdf')).json()) as { id: string };
    const note = await gql(url, SEND, { input: { workOrderId: t.id, body: 'See diagram', internal: true, clientMutationId: randomUUID(), attachmentIds: [staffFile.id] } }, { token: agent });
    expect(note.errors).toBeUndefined();
    expect((await download(alice, staffFile.id)).status).toBe(404);
    expect((await download(agent, staffFile.id)).status).toBe(200);
    const listed = await gql(url, `query($id: ID!) { workOrder(id: $id) { attachments { id } } }`, { id: t.id }, { token: alice });
    expect(listed.data!.workOrder.attachments).toEqual([]);
    // A staff file is staff-only until a public message carries it.
    const shared = (await (await upload(agent, t.id, png, 'coverage.png')).json()) as { id: string };
    expect((await download(alice, shared.id)).status).toBe(404);
    expect((await gql(url, `query($id: ID!) { workOrder(id: $id) { attachments { id } } }`, { id: t.id }, { token: alice })).data!.workOrder.attachments).toEqual([]);
    await gql(url, SEND, { input: { workOrderId: t.id, body: 'Coverage map attached', clientMutationId: randomUUID(), attachmentIds: [shared.id] } }, { token: agent });
    expect((await download(alice, shared.id)).status).toBe(200);

    // Two sends racing for one file: exactly one message carries it.
    const contested = (await (await upload(alice, t.id, png, 'contested.png')).json()) as { id: string };
    const race = await Promise.all(
      [1, 2].map((i) => gql(url, SEND, { input: { workOrderId: t.id, body: `race ${i}`, clientMutationId: randomUUID(), attachmentIds: [contested.id] } }, { token: alice })),
    );
    expect(race.map((r) => codes(r)[0] ?? 'ok').sort()).toEqual(['BAD_USER_INPUT', 'ok']);
    const carrying = (await gql(url, GET.replace('messages(first: 100) { edges { node { id', 'messages(first: 100) { edges { node { attachments { id } id'), { id: t.id }, { token: alice })).data!.workOrder.messages.edges.filter((e: any) =>
      e.node.attachments.some((a: any) => a.id === contested.id),
    );
    expect(carrying).toHaveLength(1);
    // A retried send with the same id and file returns the original message.
    const key = randomUUID();
    const again = (await (await upload(alice, t.id, png, 'again.png')).json()) as { id: string };
    const [r1, r2] = await Promise.all([1, 2].map(() => gql(url, SEND, { input: { workOrderId: t.id, body: 'with file', clientMutationId: key, attachmentIds: [again.id] } }, { token: alice })));
    expect(r1!.data!.sendMessage.id).toBe(r2!.data!.sendMessage.id);

    // Concurrent retries of one send with files (ten and more): every one answers with the original message.
    const retryKey = randomUUID();
    const files = await Promise.all([1, 2].map(async (i) => ((await (await upload(alice, t.id, png, `retry-${i}.png`)).json()) as { id: string }).id));
    // Spread over the first send's own run, so retries land before, during and after each of its steps.
    const retries = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i * 2));
        return gql(url, SEND, { input: { workOrderId: t.id, body: 'retried with files', clientMutationId: retryKey, attachmentIds: files } }, { token: alice });
      }),
    );
    for (const r of retries) expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect(new Set(retries.map((r) => r.data!.sendMessage.id)).size).toBe(1);
    const withFiles = (await gql(url, GET.replace('messages(first: 100) { edges { node { id', 'messages(first: 100) { edges { node { attachments { id } id'), { id: t.id }, { token: alice })).data!.workOrder.messages.edges.filter(
      (e: any) => e.node.body === 'retried with files',
    );
    expect(withFiles).toHaveLength(1);
    expect(withFiles[0].node.attachments.map((a: any) => a.id).sort()).toEqual([...files].sort());

    // A file can be attached once, and only by whoever uploaded it.
    const reuse = await gql(url, SEND, { input: { workOrderId: t.id, body: 'Mine now', clientMutationId: randomUUID(), attachmentIds: [staffFile.id] } }, { token: alice });
    expect(codes(reuse)).toEqual(['BAD_USER_INPUT']);
  });
});
