/**
 * Live updates over graphql-ws: who receives which event, resume without loss, several gateways,
 * a restarted gateway, the close codes for bad, expired and revoked tokens, and subscription fields
 * that exist only in a subgraph's SDL.
 */
import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { start as startGateway, LiveCloseCode, type RunningGateway } from '@wisp/gateway';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tenantId, workOrderId } from './demo.ts';
import { freshLogin, liveClient, openWriter, until, type Writer } from './live.ts';

const url = inject('gatewayUrl');
const mongo = { uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') };
const gatewayOptions = () => ({ identitySecret: inject('identitySecret'), firebaseProjectId: inject('projectId'), subgraphUrls: inject('subgraphUrls'), eventLog: mongo });

let writer: Writer;
const tokens: Record<string, string> = {};
const clients: ReturnType<typeof liveClient>[] = [];
const connect = (token: string | null, at = url) => {
  const c = liveClient(at, token);
  clients.push(c);
  return c;
};

// Tests change work orders of their own, for customers of their own, so other tests' data stays put.
let SKY_ALICE: string;
let SKY_BOB: string;
let SKY_OUTAGE: string;
let PRA_ALICE: string;
const number: Record<string, string> = {};

const WO_CHANGES = (field: string, args = '') => /* GraphQL */ `
  subscription($after: String${args ? ', $id: ID!' : ''}) {
    ${field}(after: $after${args}) { cursor kind workOrder { id number status eta } }
  }
`;
const MESSAGES = /* GraphQL */ `
  subscription($id: ID!, $after: String) {
    messageAdded(workOrderId: $id, after: $after) { cursor kind message { id body internal authorKind } }
  }
`;

beforeAll(async () => {
  writer = await openWriter(mongo);
  const sky = tenantId('skyline');
  const pra = tenantId('prairie');
  const [alice, bob, carol, prairieAlice] = await Promise.all([
    freshLogin('skyline', sky),
    freshLogin('skyline', sky),
    freshLogin('skyline', sky),
    freshLogin('prairie', pra),
  ]);
  Object.assign(tokens, { alice: alice.token, bob: bob.token, carol: carol.token, prairieAlice: prairieAlice.token });
  [tokens.agent, tokens.prairieAgent] = await Promise.all([emulatorIdToken('agent@skyline.example', 'skyline'), emulatorIdToken('agent@prairie.example', 'prairie')]);
  const a = await writer.createWorkOrder({ tenantId: sky, prefix: 'SKY', reporter: alice.customerId });
  const b = await writer.createWorkOrder({ tenantId: sky, prefix: 'SKY', reporter: bob.customerId });
  const o = await writer.createWorkOrder({ tenantId: sky, prefix: 'SKY', type: 'OUTAGE', affected: [alice.customerId, bob.customerId] });
  const p = await writer.createWorkOrder({ tenantId: pra, prefix: 'PRA', reporter: prairieAlice.customerId });
  [SKY_ALICE, SKY_BOB, SKY_OUTAGE, PRA_ALICE] = [a.id, b.id, o.id, p.id];
  Object.assign(number, { alice: a.number, bob: b.number, outage: o.number, prairie: p.number });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await writer?.close();
});

const numbers = (got: { data: any[] }, field: string) => got.data.map((d) => `${d[field].kind}:${d[field].workOrder?.number}`);

describe('who receives an event', () => {
  it('delivers each change to the subscribers allowed to see it, and to no one else', async () => {
    const after = String(await writer.head());
    const alice = connect(tokens.alice!);
    const aliceList = alice.subscribe(WO_CHANGES('myWorkOrdersChanged'), { after });
    const aliceTicket = alice.subscribe(WO_CHANGES('workOrderUpdated', ', id: $id'), { after, id: SKY_ALICE });
    const aliceMessages = alice.subscribe(MESSAGES, { id: SKY_ALICE, after });
    const bobList = connect(tokens.bob!).subscribe(WO_CHANGES('myWorkOrdersChanged'), { after });
    const carolNotices = connect(tokens.carol!).subscribe(WO_CHANGES('serviceNoticesChanged'), { after });
    const aliceNotices = alice.subscribe(WO_CHANGES('serviceNoticesChanged'), { after });
    const queue = connect(tokens.agent!).subscribe(WO_CHANGES('queueChanged'), { after });
    const agentMessages = connect(tokens.agent!).subscribe(MESSAGES, { id: SKY_ALICE, after });
    const prairieList = connect(tokens.prairieAlice!).subscribe(WO_CHANGES('myWorkOrdersChanged'), { after });
    const prairieQueue = connect(tokens.prairieAgent!).subscribe(WO_CHANGES('queueChanged'), { after });

    await writer.updateWorkOrder(SKY_ALICE, { status: 'SCHEDULED' }, 'status_changed');
    await writer.addMessage(SKY_ALICE, 'A technician will visit on Tuesday.');
    await writer.addMessage(SKY_ALICE, 'Customer is on the oversubscribed sector.', { internal: true });
    await writer.updateWorkOrder(SKY_BOB, { status: 'IN_PROGRESS' }, 'status_changed');
    await writer.updateWorkOrder(SKY_OUTAGE, { eta: new Date(Date.now() + 3_600_000) }, 'eta_changed');
    await writer.updateWorkOrder(PRA_ALICE, { status: 'SCHEDULED' }, 'status_changed');
    // Last events, one per audience: once these arrive, every earlier event has been decided.
    await writer.updateWorkOrder(SKY_ALICE, { status: 'EN_ROUTE' }, 'status_changed');
    await writer.addMessage(SKY_ALICE, 'On our way.');
    await writer.updateWorkOrder(SKY_BOB, { status: 'SCHEDULED' }, 'status_changed');
    await writer.updateWorkOrder(PRA_ALICE, { status: 'EN_ROUTE' }, 'status_changed');
    await writer.updateWorkOrder(SKY_OUTAGE, { status: 'RESOLVED' }, 'status_changed');

    await until(() => aliceList.data.length >= 6 && aliceTicket.data.length >= 2 && aliceMessages.data.length >= 2, "alice's events");
    await until(() => bobList.data.length >= 4 && queue.data.length >= 9 && agentMessages.data.length >= 3, "bob's and the agent's events");
    await until(() => prairieList.data.length >= 2 && prairieQueue.data.length >= 2 && aliceNotices.data.length >= 2, 'prairie and notices');
    await new Promise((r) => setTimeout(r, 300));

    expect(numbers(aliceList, 'myWorkOrdersChanged')).toEqual([
      `status_changed:${number.alice}`,
      `message_added:${number.alice}`,
      `eta_changed:${number.outage}`,
      `status_changed:${number.alice}`,
      `message_added:${number.alice}`,
      `status_changed:${number.outage}`,
    ]);
    // A payload shows the work order as it is when delivered, so the last one shows the last status.
    expect(aliceTicket.data.map((d) => d.workOrderUpdated.kind)).toEqual(['status_changed', 'status_changed']);
    expect(aliceTicket.data.at(-1).workOrderUpdated.workOrder.status).toBe('EN_ROUTE');
    // Never the internal note, and never to a customer.
    expect(aliceMessages.data.map((d) => d.messageAdded.message.body)).toEqual(['A technician will visit on Tuesday.', 'On our way.']);
    expect(agentMessages.data.map((d) => d.messageAdded.message.internal)).toEqual([false, true, false]);
    expect(numbers(bobList, 'myWorkOrdersChanged')).toEqual([`status_changed:${number.bob}`, `eta_changed:${number.outage}`, `status_changed:${number.bob}`, `status_changed:${number.outage}`]);
    // Carol is a customer of the same WISP, but not affected by the outage.
    expect(carolNotices.data).toEqual([]);
    expect(numbers(aliceNotices, 'serviceNoticesChanged')).toEqual([`eta_changed:${number.outage}`, `status_changed:${number.outage}`]);
    expect(queue.data).toHaveLength(9);
    expect(JSON.stringify(queue.data)).not.toContain('PRA-');
    expect(numbers(prairieList, 'myWorkOrdersChanged')).toEqual([`status_changed:${number.prairie}`, `status_changed:${number.prairie}`]);
    expect(numbers(prairieQueue, 'queueChanged')).toEqual([`status_changed:${number.prairie}`, `status_changed:${number.prairie}`]);
    // Cursors only grow.
    const cursors = queue.data.map((d) => Number(d.queueChanged.cursor));
    expect([...cursors].sort((a, b) => a - b)).toEqual(cursors);
    for (const s of [aliceList, bobList, carolNotices, queue, prairieList, prairieQueue]) expect(s.errors).toEqual([]);
  });

  it("answers another customer's or tenant's work order like an unknown one, and role-gates the lists", async () => {
    const alice = connect(tokens.alice!);
    const cases = [
      alice.subscribe(MESSAGES, { id: SKY_BOB }),
      alice.subscribe(MESSAGES, { id: workOrderId('skyline', 1002) }),
      alice.subscribe(WO_CHANGES('workOrderUpdated', ', id: $id'), { id: PRA_ALICE }),
      alice.subscribe(WO_CHANGES('workOrderUpdated', ', id: $id'), { id: 'not-an-id' }),
      connect(tokens.agent!).subscribe(MESSAGES, { id: PRA_ALICE }),
    ];
    await until(() => cases.every((c) => c.errors.length > 0), 'refusals');
    for (const c of cases) expect(c.errors[0].map((e: any) => e.extensions?.code)).toEqual(['NOT_FOUND']);

    const queue = alice.subscribe(WO_CHANGES('queueChanged'));
    const myList = connect(tokens.agent!).subscribe(WO_CHANGES('myWorkOrdersChanged'));
    const badCursor = alice.subscribe(WO_CHANGES('myWorkOrdersChanged'), { after: 'abc' });
    const ahead = alice.subscribe(WO_CHANGES('myWorkOrdersChanged'), { after: '999999999' });
    const unknownField = alice.subscribe(`subscription { nope }`);
    const query = alice.subscribe(`query { viewer { uid } }`);
    await until(() => [queue, myList, badCursor, ahead, unknownField, query].every((c) => c.errors.length > 0), 'refusals');
    expect(queue.errors[0][0].extensions.code).toBe('FORBIDDEN');
    expect(myList.errors[0][0].extensions.code).toBe('FORBIDDEN');
    expect(badCursor.errors[0][0].extensions.code).toBe('BAD_USER_INPUT');
    expect(ahead.errors[0][0].extensions.code).toBe('BAD_USER_INPUT');
    expect(unknownField.errors[0][0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(query.errors[0][0].extensions.code).toBe('BAD_USER_INPUT');
  });
});

describe('payload shape', () => {
  it('answers aliases, fragments and @include exactly as the subscriber selected them', async () => {
    const c = connect(tokens.alice!);
    const doc = /* GraphQL */ `
      subscription Ticket($id: ID!, $after: String, $withEta: Boolean!) {
        live: workOrderUpdated(id: $id, after: $after) { c: cursor ...Change wo: workOrder { s: status eta @include(if: $withEta) } }
      }
      fragment Change on WorkOrderChange { kind workOrder { number } }
    `;
    const after = String(await writer.head());
    const withEta = c.subscribe(doc, { id: SKY_ALICE, after, withEta: true });
    const without = c.subscribe(doc, { id: SKY_ALICE, after, withEta: false });
    const e = await writer.updateWorkOrder(SKY_ALICE, { eta: new Date('2030-01-02T03:04:05Z') }, 'eta_changed');
    await until(() => withEta.data.length === 1 && without.data.length === 1, 'both shapes');
    expect(withEta.data[0]).toEqual({
      live: { c: String(e.seq), kind: 'eta_changed', workOrder: { number: number.alice }, wo: { s: expect.any(String), eta: '2030-01-02T03:04:05.000Z' } },
    });
    expect(without.data[0].live.wo).toEqual({ s: expect.any(String) });
  });
});

describe('subscriptions over HTTP', () => {
  it('are refused with a coded 400 that points to the WebSocket', async () => {
    const r = await gql(url, WO_CHANGES('myWorkOrdersChanged'), {}, { token: tokens.alice });
    expect(r.status).toBe(400);
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.errors![0]!.message).toMatch(/graphql-ws/);
  });
});

describe('resume', () => {
  it('delivers every event missed while disconnected exactly once, in order', async () => {
    const first = connect(tokens.alice!);
    const sub = first.subscribe(WO_CHANGES('workOrderUpdated', ', id: $id'), { id: SKY_ALICE, after: String(await writer.head()) });
    await writer.updateWorkOrder(SKY_ALICE, { title: 'Slow speeds every evening (r1)' });
    await until(() => sub.data.length === 1, 'the first change');
    const cursor = sub.data[0].workOrderUpdated.cursor as string;
    await first.dispose();

    const missed = [];
    for (let i = 2; i <= 6; i++) missed.push(await writer.updateWorkOrder(SKY_ALICE, { title: `Slow speeds every evening (r${i})` }));
    await writer.updateWorkOrder(SKY_BOB, { title: 'Router keeps rebooting (not for alice)' });

    const again = connect(tokens.alice!).subscribe(/* GraphQL */ `
      subscription($id: ID!, $after: String) { workOrderUpdated(id: $id, after: $after) { cursor kind workOrder { title } } }
    `, { id: SKY_ALICE, after: cursor });
    await until(() => again.data.length === 5, 'the missed changes');
    const live = await writer.updateWorkOrder(SKY_ALICE, { title: 'Slow speeds every evening' });
    await until(() => again.data.length === 6, 'the next live change');
    await new Promise((r) => setTimeout(r, 300));
    expect(again.data.map((d) => d.workOrderUpdated.cursor)).toEqual([...missed, live].map((e) => String(e.seq)));
    expect(again.data.map((d) => d.workOrderUpdated.workOrder.title)).toEqual([
      // Each delivery shows the work order as it is when delivered: the missed ones are read now.
      ...Array(5).fill(expect.stringMatching(/^Slow speeds every evening/)),
      'Slow speeds every evening',
    ]);
  });
});

describe('the opening cursor', () => {
  it('lets a subscription that has received nothing yet resume without loss', async () => {
    const first = connect(tokens.alice!);
    const quiet = first.subscribe(MESSAGES, { id: SKY_ALICE });
    await until(() => quiet.started.length === 1, 'the opening payload');
    const opening = quiet.started[0].messageAdded;
    expect(opening).toMatchObject({ kind: 'subscribed', message: null, cursor: expect.stringMatching(/^\d+$/) });
    await first.dispose();
    await writer.addMessage(SKY_ALICE, 'Sent while you were away.');
    const again = connect(tokens.alice!).subscribe(MESSAGES, { id: SKY_ALICE, after: opening.cursor });
    await until(() => again.data.length === 1, 'the missed message');
    expect(again.data[0].messageAdded.message.body).toBe('Sent while you were away.');
    expect(again.started[0].messageAdded.cursor).toBe(opening.cursor);
  });
});

describe('several gateways', () => {
  let second: RunningGateway | undefined;
  afterAll(async () => {
    await second?.stop();
  });

  it('delivers from every gateway instance, each tailing the shared log', async () => {
    second = await startGateway(gatewayOptions());
    const after = String(await writer.head());
    const onFirst = connect(tokens.alice!).subscribe(WO_CHANGES('myWorkOrdersChanged'), { after });
    const onSecond = connect(tokens.alice!, second.url).subscribe(WO_CHANGES('myWorkOrdersChanged'), { after });
    const queueOnSecond = connect(tokens.agent!, second.url).subscribe(WO_CHANGES('queueChanged'));
    await until(() => [onFirst, onSecond, queueOnSecond].every((s) => s.started.length === 1), 'all three subscribed');
    for (const s of ['OPEN', 'IN_PROGRESS', 'SCHEDULED']) await writer.updateWorkOrder(SKY_ALICE, { status: s }, 'status_changed');
    await until(() => onFirst.data.length === 3 && onSecond.data.length === 3 && queueOnSecond.data.length === 3, 'both gateways');
    // The same events, in the same order, from both (each shows the state when it delivered).
    const seqs = (got: { data: any[] }) => got.data.map((d) => `${d.myWorkOrdersChanged.cursor}:${d.myWorkOrdersChanged.kind}`);
    expect(seqs(onSecond)).toEqual(seqs(onFirst));
    expect(onSecond.data.map((d) => d.myWorkOrdersChanged.kind)).toEqual(['status_changed', 'status_changed', 'status_changed']);
    expect(onSecond.data.at(-1).myWorkOrdersChanged.workOrder.status).toBe('SCHEDULED');
    expect(queueOnSecond.data.map((d) => d.queueChanged.cursor)).toEqual(onSecond.data.map((d) => d.myWorkOrdersChanged.cursor));
  });

  it('loses nothing for a client that resumes after its gateway was stopped and started again', async () => {
    let gw = await startGateway(gatewayOptions());
    const c1 = connect(tokens.alice!, gw.url);
    const sub = c1.subscribe(MESSAGES, { id: SKY_ALICE, after: String(await writer.head()) });
    await writer.addMessage(SKY_ALICE, 'm1');
    await until(() => sub.data.length === 1, 'm1');
    const cursor = sub.data.at(-1).messageAdded.cursor;
    await gw.stop();
    await until(() => c1.received.closes.length > 0, 'the socket to close');
    expect(c1.received.closes[0]!.code).toBe(1001);
    for (const b of ['m2', 'm3', 'm4']) await writer.addMessage(SKY_ALICE, b);
    gw = await startGateway(gatewayOptions());
    try {
      const resumed = connect(tokens.alice!, gw.url).subscribe(MESSAGES, { id: SKY_ALICE, after: cursor });
      await until(() => resumed.data.length === 3, 'the missed messages');
      await writer.addMessage(SKY_ALICE, 'm5');
      await until(() => resumed.data.length === 4, 'm5');
      await new Promise((r) => setTimeout(r, 300));
      expect(resumed.data.map((d) => d.messageAdded.message.body)).toEqual(['m2', 'm3', 'm4', 'm5']);
    } finally {
      await gw.stop();
    }
  });
});

describe('tokens', () => {
  const closeOf = async (token: string | null, at = url) => {
    const c = connect(token, at);
    const s = c.subscribe(WO_CHANGES('myWorkOrdersChanged'));
    await until(() => c.received.closes.length > 0, 'the close');
    expect(s.data).toEqual([]);
    return c.received.closes[0]!.code;
  };

  /** The same token with other claims; the emulator does not sign tokens, so only its checks apply. */
  const reissued = (token: string, claims: Record<string, unknown>) => {
    const [h, p] = token.split('.');
    const payload = { ...JSON.parse(Buffer.from(p!, 'base64url').toString()), ...claims };
    return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
  };

  it('closes with 4401 without a token or with a bad one', async () => {
    expect(await closeOf(null)).toBe(LiveCloseCode.Unauthenticated);
    expect(await closeOf('garbage')).toBe(LiveCloseCode.Unauthenticated);
    expect(await closeOf(`${tokens.alice!.slice(0, -10)}`)).toBe(LiveCloseCode.Unauthenticated);
  });

  it('closes with 4419 when the token has expired, and when it expires while connected', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await closeOf(reissued(tokens.alice!, { iat: now - 4000, exp: now - 400 }))).toBe(LiveCloseCode.TokenExpired);
    const c = connect(reissued(tokens.alice!, { exp: now + 3 }));
    const s = c.subscribe(WO_CHANGES('myWorkOrdersChanged'), { after: String(await writer.head()) });
    await writer.updateWorkOrder(SKY_ALICE, { priority: 'HIGH' });
    await until(() => s.data.length === 1, 'a delivery before expiry');
    await until(() => c.received.closes.length > 0, 'the expiry close', 8_000);
    expect(c.received.closes[0]!.code).toBe(LiveCloseCode.TokenExpired);
  });

  it('closes with 4403 when the login is disabled while connected', async () => {
    const gw = await startGateway({ ...gatewayOptions(), live: { recheckMs: 400 } });
    try {
      const { token, uid, auth, customerId } = await freshLogin('skyline', tenantId('skyline'));
      const outage = await writer.createWorkOrder({ tenantId: tenantId('skyline'), prefix: 'SKY', type: 'OUTAGE', affected: [customerId] });
      const c = connect(token, gw.url);
      const s = c.subscribe(WO_CHANGES('serviceNoticesChanged'), { after: String(await writer.head()) });
      await writer.updateWorkOrder(outage.id, { priority: 'URGENT' });
      await until(() => s.data.length === 1, 'the outage notice');
      await auth.updateUser(uid, { disabled: true });
      await until(() => c.received.closes.length > 0, 'the revocation close');
      expect(c.received.closes[0]!.code).toBe(LiveCloseCode.Revoked);
    } finally {
      await gw.stop();
    }
  });
});

describe('a subscription field declared only in a subgraph’s SDL', () => {
  // Fields the gateway has no code for: their @live rules are all it knows of them.
  const EXTRA = /* GraphQL */ `
    extend type Subscription {
      "Customers: outages that name you, and nothing else."
      myOutagesChanged(after: String): WorkOrderChange! @live(entities: ["WorkOrder"], audience: CUSTOMER, mine: true, outagesOnly: true)
      "Staff: new lines in one work order's conversation, as changes to that work order."
      conversationActivity(ticket: ID!, after: String): WorkOrderChange! @live(entities: ["Message"], workOrderArg: "ticket", audience: STAFF)
      "Without @live: no rules, so the gateway must not serve it."
      unruled(after: String): WorkOrderChange!
    }
  `;
  let gw: RunningGateway | undefined;
  afterAll(async () => {
    await gw?.stop();
  });

  /** The committed subgraph SDLs, `EXTRA` added to work-order's, composed as `npm run compose` does. */
  const composedWithExtra = () => {
    const here = new URL('../schema/', import.meta.url);
    const config = parseYaml(readFileSync(new URL('supergraph.yaml', here), 'utf8')) as { subgraphs: Record<string, { routing_url: string; schema: string }> };
    const result = composeServices(
      Object.entries(config.subgraphs).map(([name, s]) => ({
        name,
        url: s.routing_url,
        typeDefs: parse(readFileSync(new URL(s.schema, here), 'utf8') + (name === 'work-order' ? EXTRA : '')),
      })),
    );
    expect(result.errors).toBeUndefined();
    return result.supergraphSdl!;
  };

  it('is served by its @live rules with no gateway change: audience, mine, outages, entities, work order', async () => {
    gw = await startGateway({ ...gatewayOptions(), supergraphSdl: composedWithExtra() });
    const OUTAGES = WO_CHANGES('myOutagesChanged');
    const ACTIVITY = /* GraphQL */ `
      subscription($ticket: ID!, $after: String) {
        conversationActivity(ticket: $ticket, after: $after) { cursor kind workOrder { id number status eta } }
      }
    `;
    const after = String(await writer.head());
    const alice = connect(tokens.alice!, gw.url);
    const agent = connect(tokens.agent!, gw.url);
    const aliceOutages = alice.subscribe(OUTAGES, { after });
    const carolOutages = connect(tokens.carol!, gw.url).subscribe(OUTAGES, { after });
    const activity = agent.subscribe(ACTIVITY, { ticket: SKY_ALICE, after });
    const refused = {
      agentOutages: agent.subscribe(OUTAGES),
      aliceActivity: alice.subscribe(ACTIVITY, { ticket: SKY_ALICE }),
      otherTenant: connect(tokens.prairieAgent!, gw.url).subscribe(ACTIVITY, { ticket: SKY_ALICE }),
      unruled: alice.subscribe(WO_CHANGES('unruled')),
    };
    await until(() => Object.values(refused).every((c) => c.errors.length > 0), 'refusals');
    const codeOf = (c: { errors: any[] }) => c.errors[0].map((e: any) => e.extensions?.code);
    expect(codeOf(refused.agentOutages)).toEqual(['FORBIDDEN']);
    expect(codeOf(refused.aliceActivity)).toEqual(['FORBIDDEN']);
    expect(codeOf(refused.otherTenant)).toEqual(['NOT_FOUND']);
    expect(codeOf(refused.unruled)).toEqual(['INTERNAL']);

    await writer.updateWorkOrder(SKY_ALICE, { status: 'OPEN' }, 'status_changed'); // not an outage; not a message
    await writer.addMessage(SKY_OUTAGE, 'Crews are on site.'); // an outage's message: not a work-order event
    await writer.addMessage(SKY_ALICE, 'Checking your signal now.');
    await writer.addMessage(SKY_ALICE, 'Sector 4 is overloaded.', { internal: true });
    await writer.addMessage(SKY_BOB, 'Another ticket.');
    await writer.updateWorkOrder(SKY_OUTAGE, { eta: new Date(Date.now() + 7_200_000) }, 'eta_changed');
    await until(() => aliceOutages.data.length >= 1 && activity.data.length >= 2, 'the deliveries');
    await new Promise((r) => setTimeout(r, 300));

    expect(numbers(aliceOutages, 'myOutagesChanged')).toEqual([`eta_changed:${number.outage}`]);
    expect(carolOutages.data).toEqual([]);
    expect(numbers(activity, 'conversationActivity')).toEqual([`message_added:${number.alice}`, `message_added:${number.alice}`]);
    expect(aliceOutages.started[0].myOutagesChanged).toMatchObject({ kind: 'subscribed', cursor: after, workOrder: null });
    for (const s of [aliceOutages, carolOutages, activity]) expect(s.errors).toEqual([]);
  });
});
