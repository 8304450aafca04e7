/**
 * Racing writes through the gateway: of concurrent changes from one state exactly one wins, the
 * rest get CONFLICT (or, for retries of one request, the same answer), and nothing is left locked.
 */
import { randomUUID } from 'node:crypto';
import { codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const url = inject('gatewayUrl');
let alice: string, agent: string;
beforeAll(async () => {
  [alice, agent] = await Promise.all([emulatorIdToken('alice@skyline.example', 'skyline'), emulatorIdToken('agent@skyline.example', 'skyline')]);
});

const OPEN = `mutation($input: OpenTicketInput!) { openTicket(input: $input) { id status } }`;
const STATUS = `mutation($id: ID!, $status: WorkOrderStatus!, $expected: WorkOrderStatus) { changeWorkOrderStatus(id: $id, status: $status, expectedStatus: $expected) { id status timeline { from to } } }`;
const GET = `query($id: ID!) { workOrder(id: $id) { status timeline { from to } rating { score } publicUpdates { body } } }`;
const RATE = `mutation($id: ID!, $score: Int!) { rateTicket(id: $id, score: $score) { rating { score } } }`;

async function openTicket() {
  const r = await gql(url, OPEN, { input: { title: 'Race condition ticket', description: 'Testing concurrent changes.', category: 'NO_SERVICE', clientMutationId: randomUUID() } }, { token: alice });
  expect(r.errors).toBeUndefined();
  return r.data!.openTicket.id as string;
}

const race = <T>(n: number, run: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => run(i)));

describe('concurrent writes', () => {
  it('lets one of 20 concurrent status changes from the same state win, and the ticket stays workable', async () => {
    const id = await openTicket();
    const targets = ['IN_PROGRESS', 'WAITING_ON_CUSTOMER', 'SCHEDULED', 'RESOLVED'];
    // Each says which state it changes from, as the portal does: the one read before the race.
    const results = await race(20, (i) => gql(url, STATUS, { id, status: targets[i % targets.length], expected: 'OPEN' }, { token: agent }));
    const winners = results.filter((r) => !r.errors);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((x) => x.errors)) expect(codes(r)).toEqual(['CONFLICT']);
    const after = (await gql(url, GET, { id }, { token: agent })).data!.workOrder;
    expect(after.status).toBe(winners[0]!.data!.changeWorkOrderStatus.status);
    expect(after.timeline.filter((t: { from: string | null }) => t.from === 'OPEN')).toHaveLength(1);
    // Nothing stays locked: the next change goes through at once.
    const next = after.status === 'RESOLVED' ? 'CLOSED' : 'RESOLVED';
    const again = await gql(url, STATUS, { id, status: next }, { token: agent });
    expect(again.errors).toBeUndefined();
    expect(again.data!.changeWorkOrderStatus.status).toBe(next);
  });

  it('stores one of 20 concurrent ratings', async () => {
    const id = await openTicket();
    expect((await gql(url, STATUS, { id, status: 'RESOLVED' }, { token: agent })).errors).toBeUndefined();
    const results = await race(20, (i) => gql(url, RATE, { id, score: (i % 5) + 1 }, { token: alice }));
    const winners = results.filter((r) => !r.errors);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((x) => x.errors)) expect(codes(r)).toEqual(['CONFLICT']);
    const stored = (await gql(url, GET, { id }, { token: alice })).data!.workOrder.rating.score;
    expect(stored).toBe(winners[0]!.data!.rateTicket.rating.score);
  });

  it('stores an outage update once when 20 retries of it race, and each distinct update once', async () => {
    const made = await gql(
      url,
      `mutation($input: CreateOutageInput!) { createOutage(input: $input) { id } }`,
      { input: { title: 'Race outage', description: 'Concurrent updates.', site: 'Ridge Tower', clientMutationId: randomUUID() } },
      { token: agent },
    );
    expect(made.errors).toBeUndefined();
    const id = made.data!.createOutage.id;
    const UPDATE = `mutation($id: ID!, $body: String!, $key: String!) { postOutageUpdate(id: $id, body: $body, clientMutationId: $key) { publicUpdates { body } } }`;
    const key = randomUUID();
    const retries = await race(20, () => gql(url, UPDATE, { id, body: 'Crew dispatched', key }, { token: agent }));
    for (const r of retries) expect(r.errors).toBeUndefined();
    const distinct = await race(10, (i) => gql(url, UPDATE, { id, body: `Update ${i}`, key: randomUUID() }, { token: agent }));
    for (const r of distinct) expect(r.errors).toBeUndefined();
    const bodies = (await gql(url, GET, { id }, { token: agent })).data!.workOrder.publicUpdates.map((u: { body: string }) => u.body);
    expect(bodies.filter((b: string) => b === 'Crew dispatched')).toHaveLength(1);
    expect(bodies).toHaveLength(11);
    expect((await gql(url, STATUS, { id, status: 'RESOLVED' }, { token: agent })).errors).toBeUndefined();
  });
});
