/**
 * Service levels: every ticket runs a first-response, next-update and resolution clock in the
 * tenant's business hours; support's public replies and status changes stop and restart them,
 * internal notes do not; staff see the clocks, the reporter sees when they will next hear.
 */
import { randomUUID } from 'node:crypto';
import { addBusinessMinutes, connectMongo, DEFAULT_SLA_POLICY } from '@wisp/shared';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const url = inject('gatewayUrl');
const mongo = { uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') };

const OPEN = `mutation ($input: OpenTicketInput!) { openTicket(input: $input) { id createdAt } }`;
const SLA = `query ($id: ID!) { workOrder(id: $id) { createdAt priority sla { firstResponseDue firstResponseAt nextUpdateDue resolutionDue next { kind dueAt overdue } } nextUpdateBy } }`;
const SEND = `mutation ($input: SendMessageInput!) { sendMessage(input: $input) { id } }`;
const POLICY = `{ slaPolicy { timeZone custom businessHours { day open close } targets { priority firstResponseMinutes nextUpdateMinutes resolutionMinutes } } }`;
const UPDATE = `mutation ($input: SlaPolicyInput!) { updateSlaPolicy(input: $input) { custom timeZone businessHours { day } targets { priority firstResponseMinutes } } }`;

let agent: string;
let admin: string;
let bob: string;
let alice: string;
let prairieAdmin: string;
let conn: Awaited<ReturnType<typeof connectMongo>>;

const open = async (token = bob) => {
  const r = await gql(url, OPEN, { input: { title: 'Slow in the evening', description: 'Every night.', category: 'SLOW_SPEED', clientMutationId: randomUUID() } }, { token });
  expect(r.errors).toBeUndefined();
  return r.data!.openTicket as { id: string; createdAt: string };
};
const slaOf = async (id: string, token = agent) => {
  const r = await gql(url, SLA, { id }, { token });
  expect(r.errors).toBeUndefined();
  return r.data!.workOrder as { createdAt: string; sla: Record<string, any> | null; nextUpdateBy: string | null };
};

beforeAll(async () => {
  [agent, admin, bob, alice, prairieAdmin] = await Promise.all([
    emulatorIdToken('agent@skyline.example', 'skyline'),
    emulatorIdToken('admin@skyline.example', 'skyline'),
    emulatorIdToken('bob@skyline.example', 'skyline'),
    emulatorIdToken('alice@skyline.example', 'skyline'),
    emulatorIdToken('admin@prairie.example', 'prairie'),
  ]);
  conn = await connectMongo('work-order', mongo);
});

afterAll(async () => {
  // Back to the defaults for the tests that follow.
  await conn.collection('sla_policies').deleteMany({});
  await conn.close();
});

describe('ticket clocks', () => {
  it('start from opening in business hours of the tenant’s zone, under the defaults until an admin sets a policy', async () => {
    await conn.collection('sla_policies').deleteMany({});
    const policy = (await gql(url, POLICY, {}, { token: agent })).data!.slaPolicy;
    expect(policy).toMatchObject({ custom: false, timeZone: 'America/Denver' });
    const t = await open();
    const { sla } = await slaOf(t.id);
    const medium = DEFAULT_SLA_POLICY.targets.find((x) => x.priority === 'MEDIUM')!;
    const due = addBusinessMinutes(new Date(t.createdAt), medium.firstResponseMinutes, DEFAULT_SLA_POLICY.businessHours, 'America/Denver')!;
    // Counted from the stored creation time (milliseconds apart from the answer's).
    expect(Math.abs(Date.parse(sla!.firstResponseDue) - due.getTime())).toBeLessThan(1000);
    expect(sla!.next).toMatchObject({ kind: 'FIRST_RESPONSE', overdue: false });
    expect(sla!.firstResponseAt).toBeNull();
    expect(sla!.nextUpdateDue).toBeNull();
  });

  it('stop on support’s first public reply, not on an internal note, and restart the next-update clock on each word', async () => {
    const t = await open();
    const note = await gql(url, SEND, { input: { workOrderId: t.id, body: 'Check the AP first.', internal: true, clientMutationId: randomUUID() } }, { token: agent });
    expect(note.errors).toBeUndefined();
    const reply = await gql(url, SEND, { input: { workOrderId: t.id, body: 'We are on it.', clientMutationId: randomUUID() } }, { token: agent });
    expect(reply.errors).toBeUndefined();
    await expect.poll(async () => (await slaOf(t.id)).sla!.firstResponseAt, { timeout: 15_000 }).not.toBeNull();
    const after = (await slaOf(t.id)).sla!;
    expect(after.next.kind).not.toBe('FIRST_RESPONSE');
    expect(after.nextUpdateDue).not.toBeNull();

    // The customer's own reply is no word from support.
    const theirs = await gql(url, SEND, { input: { workOrderId: t.id, body: 'Thanks!', clientMutationId: randomUUID() } }, { token: bob });
    expect(theirs.errors).toBeUndefined();
    // Waiting on the customer stops the next-update clock; moving it back restarts it from the move.
    expect((await gql(url, `mutation ($id: ID!) { changeWorkOrderStatus(id: $id, status: WAITING_ON_CUSTOMER) { status } }`, { id: t.id }, { token: agent })).errors).toBeUndefined();
    expect((await slaOf(t.id)).sla!.nextUpdateDue).toBeNull();
    expect((await slaOf(t.id, bob)).nextUpdateBy).toBeNull();
    expect((await gql(url, `mutation ($id: ID!) { changeWorkOrderStatus(id: $id, status: IN_PROGRESS) { status } }`, { id: t.id }, { token: agent })).errors).toBeUndefined();
    const restarted = (await slaOf(t.id)).sla!;
    expect(Date.parse(restarted.nextUpdateDue)).toBeGreaterThanOrEqual(Date.parse(after.nextUpdateDue));
  });

  it('tell the reporter when they will hear next; staff clocks stay with staff', async () => {
    const t = await open();
    const mine = await slaOf(t.id, bob);
    expect(mine.sla).toBeNull();
    const staffView = (await slaOf(t.id)).sla!;
    expect(mine.nextUpdateBy).toBe(staffView.firstResponseDue);
    // Another customer of the same WISP cannot read the ticket at all.
    const other = await gql(url, SLA, { id: t.id }, { token: alice });
    expect(other.data?.workOrder ?? null).toBeNull();
  });

  it('are overdue once their time has passed, and finished tickets run none', async () => {
    const r = await gql(url, UPDATE, { input: { businessHours: [], targets: [{ priority: 'MEDIUM', firstResponseMinutes: 60, nextUpdateMinutes: 120, resolutionMinutes: 600 }] } }, { token: admin });
    expect(r.errors).toBeUndefined();
    const t = await open();
    // Opened three hours ago, around the clock: the first reply was due two hours ago.
    await conn.collection('workorders').updateOne({ _id: new Types.ObjectId(t.id) }, { $set: { createdAt: new Date(Date.now() - 3 * 3600_000) } });
    const late = (await slaOf(t.id)).sla!;
    expect(late.next).toMatchObject({ kind: 'FIRST_RESPONSE', overdue: true });
    expect(Date.parse(late.firstResponseDue)).toBeLessThan(Date.now() - 3600_000);
    expect((await gql(url, `mutation ($id: ID!) { changeWorkOrderStatus(id: $id, status: RESOLVED) { status } }`, { id: t.id }, { token: agent })).errors).toBeUndefined();
    expect((await slaOf(t.id)).sla!.next).toBeNull();
  });
});

describe('the policy', () => {
  it('is set by tenant admins only, per tenant, and checked field by field', async () => {
    const input = {
      businessHours: [1, 2, 3, 4, 5, 6].map((day) => ({ day, open: '07:00', close: '19:00' })),
      targets: [{ priority: 'URGENT', firstResponseMinutes: 15, nextUpdateMinutes: 30, resolutionMinutes: 120 }],
    };
    const denied = await gql(url, UPDATE, { input }, { token: agent });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const customer = await gql(url, UPDATE, { input }, { token: bob });
    expect(customer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const bad = await gql(url, UPDATE, { input: { ...input, businessHours: [{ day: 2, open: '19:00', close: '07:00' }] } }, { token: admin });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'businessHours.0' });

    const saved = await gql(url, UPDATE, { input }, { token: admin });
    expect(saved.errors).toBeUndefined();
    expect(saved.data!.updateSlaPolicy).toMatchObject({ custom: true, businessHours: input.businessHours.map(({ day }) => ({ day })) });
    // Priorities it left out keep the defaults.
    expect((saved.data!.updateSlaPolicy as { targets: { priority: string; firstResponseMinutes: number }[] }).targets).toEqual(
      expect.arrayContaining([{ priority: 'URGENT', firstResponseMinutes: 15 }, { priority: 'LOW', firstResponseMinutes: 600 }]),
    );
    // Another WISP keeps its own.
    const prairie = (await gql(url, POLICY, {}, { token: prairieAdmin })).data!.slaPolicy as { custom: boolean; timeZone: string };
    expect(prairie).toMatchObject({ custom: false, timeZone: 'America/Chicago' });
  });
});
