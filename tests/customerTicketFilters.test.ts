/**
 * A customer's own ticket list narrowed by status, category and priority through the gateway: each
 * filter and their combination, paging inside a filter, and that no filter ever reaches another
 * customer's tickets (of the same WISP or another).
 */
import { randomUUID } from 'node:crypto';
import { codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const url = inject('gatewayUrl');
let alice: string, bob: string, agent: string, prairieAlice: string;
const run = randomUUID().slice(0, 8);

const OPEN = `mutation($input: OpenTicketInput!) { openTicket(input: $input) { id } }`;
const DETAILS = `mutation($id: ID!, $input: TicketDetailsInput!) { updateTicketDetails(id: $id, input: $input) { id priority } }`;
const LIST = `query($status: [WorkOrderStatus!], $category: [WorkOrderCategory!], $priority: [WorkOrderPriority!], $first: Int, $after: String) {
  viewer { customer { id tickets(first: $first, after: $after, status: $status, category: $category, priority: $priority) {
    edges { node { id title status category priority customer { id } } } pageInfo { hasNextPage endCursor } } } }
}`;

type Row = { id: string; title: string; status: string; category: string; priority: string; customer: { id: string } | null };

async function open(token: string, title: string, category: string): Promise<string> {
  const r = await gql(url, OPEN, { input: { title, description: 'Opened for the filter checks.', category, clientMutationId: randomUUID() } }, { token });
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.openTicket.id as string;
}

async function list(token: string, vars: Record<string, unknown>): Promise<Row[]> {
  const r = await gql(url, LIST, { first: 100, ...vars }, { token });
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return (r.data!.viewer.customer.tickets.edges as { node: Row }[]).map((e) => e.node);
}

const mine = (rows: Row[]) => rows.filter((r) => r.title.endsWith(run));

let aliceBilling: string, aliceUrgentSlow: string, aliceSlow: string, bobBilling: string, bobUrgentSlow: string;

beforeAll(async () => {
  [alice, bob, agent, prairieAlice] = await Promise.all([
    emulatorIdToken('alice@skyline.example', 'skyline'),
    emulatorIdToken('bob@skyline.example', 'skyline'),
    emulatorIdToken('agent@skyline.example', 'skyline'),
    emulatorIdToken('alice@prairie.example', 'prairie'),
  ]);
  aliceBilling = await open(alice, `Alice billing ${run}`, 'BILLING');
  aliceUrgentSlow = await open(alice, `Alice urgent slow ${run}`, 'SLOW_SPEED');
  aliceSlow = await open(alice, `Alice slow ${run}`, 'SLOW_SPEED');
  bobBilling = await open(bob, `Bob billing ${run}`, 'BILLING');
  bobUrgentSlow = await open(bob, `Bob urgent slow ${run}`, 'SLOW_SPEED');
  for (const id of [aliceUrgentSlow, bobUrgentSlow]) {
    const r = await gql(url, DETAILS, { id, input: { priority: 'URGENT' } }, { token: agent });
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  }
});

describe("a customer's ticket filters", () => {
  it('narrow by category, by priority and by both with status, newest first', async () => {
    const billing = await list(alice, { category: ['BILLING'] });
    expect(billing.every((r) => r.category === 'BILLING')).toBe(true);
    expect(mine(billing).map((r) => r.id)).toEqual([aliceBilling]);

    const urgent = await list(alice, { priority: ['URGENT'] });
    expect(urgent.every((r) => r.priority === 'URGENT')).toBe(true);
    expect(mine(urgent).map((r) => r.id)).toEqual([aliceUrgentSlow]);

    const slow = await list(alice, { category: ['SLOW_SPEED'] });
    expect(mine(slow).map((r) => r.id)).toEqual([aliceSlow, aliceUrgentSlow]);

    const slowMedium = await list(alice, { status: ['OPEN'], category: ['SLOW_SPEED'], priority: ['MEDIUM'] });
    expect(slowMedium.every((r) => r.status === 'OPEN' && r.category === 'SLOW_SPEED' && r.priority === 'MEDIUM')).toBe(true);
    expect(mine(slowMedium).map((r) => r.id)).toEqual([aliceSlow]);

    expect(mine(await list(alice, { category: ['BILLING', 'SLOW_SPEED'], priority: ['URGENT', 'MEDIUM'] })).map((r) => r.id)).toEqual([aliceSlow, aliceUrgentSlow, aliceBilling]);
    expect(mine(await list(alice, { status: ['RESOLVED'], category: ['BILLING'] }))).toEqual([]);
  });

  it('page inside a filter with the cursor', async () => {
    const first = await gql(url, LIST, { category: ['SLOW_SPEED'], first: 1 }, { token: alice });
    const page = first.data!.viewer.customer.tickets;
    expect(page.edges).toHaveLength(1);
    expect(page.edges[0].node.id).toBe(aliceSlow);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const next = await list(alice, { category: ['SLOW_SPEED'], first: 1, after: page.pageInfo.endCursor });
    expect(next.map((r) => r.id)).toEqual([aliceUrgentSlow]);
  });

  it("never show another customer's tickets, whatever the filter", async () => {
    const aliceId = (await gql(url, `{ viewer { customer { id } } }`, {}, { token: alice })).data!.viewer.customer.id as string;
    const bobs = new Set([bobBilling, bobUrgentSlow]);
    for (const vars of [{}, { category: ['BILLING'] }, { priority: ['URGENT'] }, { category: ['SLOW_SPEED'], priority: ['URGENT'] }, { status: ['OPEN'], category: ['BILLING', 'SLOW_SPEED'], priority: ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] }]) {
      const rows = await list(alice, vars);
      expect(rows.filter((r) => bobs.has(r.id)), JSON.stringify(vars)).toEqual([]);
      // Her own tickets and the outages that affect her; nothing reported by anyone else for themselves.
      expect(rows.every((r) => r.customer === null || r.customer.id === aliceId), JSON.stringify(vars)).toBe(true);
    }
    // Bob's own filter finds his; the same filter for another WISP's Alice finds none of Skyline's.
    expect(mine(await list(bob, { priority: ['URGENT'] })).map((r) => r.id)).toEqual([bobUrgentSlow]);
    const elsewhere = await list(prairieAlice, { category: ['BILLING', 'SLOW_SPEED'] });
    expect(elsewhere.filter((r) => [aliceBilling, aliceSlow, aliceUrgentSlow, ...bobs].includes(r.id))).toEqual([]);
  });

  it("refuse a customer reading another customer's list, and an unknown category", async () => {
    const bobId = (await gql(url, `{ viewer { customer { id } } }`, {}, { token: bob })).data!.viewer.customer.id as string;
    const other = await gql(url, `query($id: ID!) { customer(id: $id) { tickets(first: 10, category: [BILLING]) { edges { node { id } } } } }`, { id: bobId }, { token: alice });
    expect(JSON.stringify(other.data ?? {})).not.toContain(bobBilling);
    expect(other.errors?.length).toBeGreaterThan(0);
    const bad = await gql(url, LIST, { category: ['HACKED'] }, { token: alice });
    expect(codes(bad)[0]).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
  });
});
