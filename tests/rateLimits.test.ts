/**
 * Rate limits by query cost: every operation is priced before it runs, charged to the caller's
 * budget (per API key, per login, per anonymous address) in the gateway's database, so several
 * gateway processes draw on one budget; answers say what is left in IETF RateLimit headers and
 * `extensions.cost`, and a request the budget cannot pay is refused, unrun, with 429 and
 * Retry-After.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { start as startGateway } from '@wisp/gateway';
import { emulatorIdToken } from '@wisp/shared/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

type Running = Awaited<ReturnType<typeof startGateway>>;
let one: Running, two: Running;
let admin: string, alice: string, bob: string;
// Budgets of their own (not the shared test gateway's), in a database of their own.
const budgetPrefix = `rl_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const BUDGET = 200;

async function post(url: string, query: string, variables: Record<string, unknown>, token?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, any> }[]; extensions?: Record<string, any> };
  const header = (name: string) => res.headers.get(name);
  return { status: res.status, header, ...body };
}

const TICKETS = (n: number) => `{ viewer { customer { tickets(first: ${n}) { edges { node { number } } } } } }`;

beforeAll(async () => {
  const common = {
    identitySecret: inject('identitySecret'),
    firebaseProjectId: inject('projectId'),
    subgraphUrls: inject('subgraphUrls'),
    eventLog: { uri: inject('mongoUri'), dbPrefix: budgetPrefix },
    rateLimits: { perKey: BUDGET, perLogin: BUDGET, perAddress: BUDGET, windowSeconds: 60, maxOperationCost: 150 },
  };
  [one, two] = await Promise.all([startGateway(common), startGateway(common)]);
  [admin, alice, bob] = await Promise.all([
    emulatorIdToken('admin@skyline.example', 'skyline'),
    emulatorIdToken('alice@skyline.example', 'skyline'),
    emulatorIdToken('bob@skyline.example', 'skyline'),
  ]);
});
afterAll(async () => {
  await Promise.all([one?.stop(), two?.stop()]);
});

describe('rate limits by query cost', () => {
  it('price each operation before it runs and say what is left, in headers and extensions', async () => {
    const r = await post(one.url, TICKETS(10), {}, bob);
    expect(r.errors).toBeUndefined();
    // viewer + customer + the connection + 10 × (edge + node)
    expect(r.extensions?.cost).toMatchObject({ requested: 3 + 10 * 2, limit: BUDGET, remaining: BUDGET - 23 });
    expect(r.header('ratelimit-limit')).toBe(String(BUDGET));
    expect(r.header('ratelimit-remaining')).toBe(String(BUDGET - 23));
    expect(Number(r.header('ratelimit-reset'))).toBeGreaterThan(0);
    expect(Number(r.header('ratelimit-reset'))).toBeLessThanOrEqual(60);
    expect(r.header('ratelimit-policy')).toBe(`${BUDGET};w=60`);
  });

  it('share one budget between gateway processes, and refuse with 429 and Retry-After when it cannot pay', async () => {
    const spent: number[] = [];
    // 63 points a time (viewer, customer, connection, 30 tickets), alternately through each gateway.
    for (const gw of [one, two, one]) {
      const r = await post(gw.url, TICKETS(30), {}, alice);
      expect(r.errors).toBeUndefined();
      spent.push(r.extensions!.cost.remaining);
    }
    expect(spent).toEqual([BUDGET - 63, BUDGET - 126, BUDGET - 189]);
    const refused = await post(two.url, TICKETS(30), {}, alice);
    expect(refused.status).toBe(429);
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(refused.errors?.[0]?.message).toMatch(/try again in \d+ s/);
    expect(Number(refused.header('retry-after'))).toBeGreaterThan(0);
    expect(refused.header('ratelimit-remaining')).toBe(String(BUDGET - 189));
    // A refusal spends nothing: what is left still pays for a small request.
    const small = await post(one.url, TICKETS(0), {}, alice);
    expect(small.errors).toBeUndefined();
    expect(small.extensions!.cost.remaining).toBe(BUDGET - 189 - 3);
    // Another login of the same WISP has its own budget.
    const other = await post(two.url, '{ viewer { uid } }', {}, admin);
    expect(other.errors).toBeUndefined();
    expect(other.extensions!.cost.remaining).toBe(BUDGET - 1);
  });

  it('refuse a mutation unrun when the budget cannot pay for it', async () => {
    const key = await post(one.url, `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`, { input: { name: 'Billing', scopes: ['customers:read', 'customers:write'], clientMutationId: randomUUID() } }, admin);
    expect(key.errors).toBeUndefined();
    const secret = key.data.createApiKey.secret as string;
    const name = `Limited ${randomUUID().slice(0, 8)}`;
    const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ accountNumber: `RL-${name.slice(-8)}-${i}`, name: `${name} ${i}`, email: `rl${i}.${name.slice(-8)}@example.net` }));
    const UPSERT = `mutation($rows: [CustomerUpsertInput!]!) { upsertCustomers(rows: $rows) { ok } }`;
    // 10 for the write, one per row, 10 for the result list: 100 rows cost 120 of the key's 200.
    const first = await post(two.url, UPSERT, { rows: rows(100) }, secret);
    expect(first.errors, JSON.stringify(first.errors)).toBeUndefined();
    expect(first.extensions!.cost).toMatchObject({ requested: 120, remaining: 80 });
    const second = await post(one.url, UPSERT, { rows: rows(100).map((r) => ({ ...r, accountNumber: `${r.accountNumber}-b` })) }, secret);
    expect(second.status).toBe(429);
    const found = await post(one.url, `query($q: String) { customers(search: $q, first: 5) { edges { node { accountNumber } } } }`, { q: 'b' }, secret);
    expect(JSON.stringify(found.data ?? {})).not.toContain('-b');
  });

  it('refuse an operation too costly ever to run, whatever is left', async () => {
    const r = await post(one.url, TICKETS(100), {}, await emulatorIdToken('agent@skyline.example', 'skyline'));
    expect(r.status).toBe(400);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toMatch(/fewer items/);
    expect(r.errors?.[0]?.extensions?.cost?.requested).toBe(203);
  });

  it('give anonymous callers a budget per address', async () => {
    const r = await post(one.url, '{ portalBranding(host: "skyline.localhost") { companyName } }', {});
    expect(r.header('ratelimit-limit')).toBe(String(BUDGET));
    expect(Number(r.header('ratelimit-remaining'))).toBeLessThan(BUDGET);
  });
});
