/**
 * Integrators' API keys: made by a tenant's admins, shown once, stored as a digest, scoped, and
 * turned by the gateway into the INTEGRATOR identity of that tenant. Every root field of the graph
 * says what scope it needs, and the subgraphs refuse what a key's scopes do not allow.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { API_SCOPES, connectMongo, ROOT_FIELD_SCOPES } from '@wisp/shared';
import { codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { customerId, tenantId, workOrderId } from './demo.ts';
import { liveClient, until } from './live.ts';

const url = inject('gatewayUrl');
let admin: string, agent: string, prairieAdmin: string, alice: string;

const CREATE = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret key { id name prefix scopes status expiresAt lastUsedAt } } }`;
const LIST = `{ apiKeys { id name prefix scopes status lastUsedAt lastUsedAddress } }`;

async function newKey(scopes: string[], extra: Record<string, unknown> = {}, token = admin) {
  const r = await gql(url, CREATE, { input: { name: `Billing ${randomUUID().slice(0, 6)}`, scopes, clientMutationId: randomUUID(), ...extra } }, { token });
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.createApiKey as { secret: string; key: { id: string; prefix: string; scopes: string[]; status: string } };
}

beforeAll(async () => {
  [admin, agent, prairieAdmin, alice] = await Promise.all([
    emulatorIdToken('admin@skyline.example', 'skyline'),
    emulatorIdToken('agent@skyline.example', 'skyline'),
    emulatorIdToken('admin@prairie.example', 'prairie'),
    emulatorIdToken('alice@skyline.example', 'skyline'),
  ]);
});

describe('API keys', () => {
  it('are made by tenant admins only, shown once with a recognisable prefix, and stored as a digest', async () => {
    for (const token of [agent, alice]) expect(codes(await gql(url, CREATE, { input: { name: 'x', scopes: ['tickets:read'] } }, { token }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, CREATE, { input: { name: 'x', scopes: ['everything'] } }, { token: admin }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, CREATE, { input: { name: 'x', scopes: [] } }, { token: admin }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, CREATE, { input: { name: 'x', scopes: ['tickets:read'], expiresAt: '2001-01-01T00:00:00Z' } }, { token: admin }))).toEqual(['BAD_USER_INPUT']);
    const cmid = randomUUID();
    const first = await gql(url, CREATE, { input: { name: 'NOC', scopes: ['tickets:read'], clientMutationId: cmid } }, { token: admin });
    const { secret, key } = first.data!.createApiKey;
    expect(secret).toMatch(/^wisp_live_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
    expect(secret.startsWith(`${key.prefix}_`)).toBe(true);
    // A retry creates no second key, and cannot show the secret again.
    expect(codes(await gql(url, CREATE, { input: { name: 'NOC', scopes: ['tickets:read'], clientMutationId: cmid } }, { token: admin }))).toEqual(['CONFLICT']);
    const listed = (await gql(url, LIST, {}, { token: admin })).data!.apiKeys;
    expect(listed.filter((k: { id: string }) => k.id === key.id)).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(secret.slice(-43));
    const conn = await connectMongo('tenant', { uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') });
    try {
      const stored = JSON.stringify(await conn.db!.collection('api_keys').findOne({ name: 'NOC', _id: (await import('mongoose')).Types.ObjectId.createFromHexString(key.id) }));
      expect(stored).not.toContain(secret.slice(-43));
      expect(stored).toContain('secretHash');
    } finally {
      await conn.close();
    }
    // Another tenant's admin sees none of them.
    expect((await gql(url, LIST, {}, { token: prairieAdmin })).data!.apiKeys.map((k: { id: string }) => k.id)).not.toContain(key.id);
  });

  it('act as an integrator of their tenant, within their scopes, and record their last use', async () => {
    const { secret: reader, key } = await newKey(['customers:read', 'tickets:read']);
    const customers = await gql(url, `{ customers(first: 5) { edges { node { id } } } }`, {}, { token: reader });
    expect(customers.errors).toBeUndefined();
    expect(customers.data!.customers.edges.length).toBeGreaterThan(0);
    expect((await gql(url, `query($id: ID!) { workOrder(id: $id) { id number } }`, { id: workOrderId('skyline', 1001) }, { token: reader })).data!.workOrder.id).toBe(workOrderId('skyline', 1001));
    // A write it has no scope for: FORBIDDEN, naming the scope.
    const write = await gql(url, `mutation($id: ID!, $input: UpdateCustomerInput!) { updateCustomer(id: $id, input: $input) { ok } }`, { id: customerId('skyline', 'alice'), input: { phone: '+15550100000' } }, { token: reader });
    expect(codes(write)).toEqual(['FORBIDDEN']);
    expect(write.errors![0]!.message).toContain('customers:write');
    expect(write.errors![0]!.extensions?.scope).toBe('customers:write');
    // Fields that are not for integrators at all.
    for (const q of [`{ outboxEmails { id } }`, `{ apiKeys { id } }`, `{ agentNotifications { unreadCount } }`, `mutation { updateBranding(input: { companyName: "Mine" }) { ok } }`]) {
      expect(codes(await gql(url, q, {}, { token: reader })), q).toEqual(['FORBIDDEN']);
    }
    // Another tenant's ids answer like unknown ones.
    expect(codes(await gql(url, `query($id: ID!) { customer(id: $id) { id } }`, { id: customerId('prairie', 'alice') }, { token: reader }))).toEqual(['NOT_FOUND']);
    expect(codes(await gql(url, `query($id: ID!) { workOrder(id: $id) { id } }`, { id: workOrderId('prairie', 1001) }, { token: reader }))).toEqual(['NOT_FOUND']);
    const mine = (await gql(url, LIST, {}, { token: admin })).data!.apiKeys.find((k: { id: string }) => k.id === key.id);
    expect(mine.lastUsedAt).toEqual(expect.any(String));
    expect(mine.lastUsedAddress).toEqual(expect.any(String));
  });

  it('with a write scope, change what it allows, and never see internal notes without notes:read', async () => {
    const { secret } = await newKey(['customers:read', 'customers:write', 'tickets:read', 'messages:write']);
    const created = await gql(url, `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { ok customer { id } } }`, { input: { accountNumber: `SKY-K${randomUUID().slice(0, 6)}`, name: 'Keyed Customer', serviceStatus: 'ACTIVE' } }, { token: secret });
    expect(created.data?.createCustomer.ok, JSON.stringify(created)).toBe(true);
    const ticket = workOrderId('skyline', 1001);
    const note = `internal ${randomUUID()}`;
    await gql(url, `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }`, { input: { workOrderId: ticket, body: note, internal: true, clientMutationId: randomUUID() } }, { token: agent });
    const CONVERSATION = `query($id: ID!) { workOrder(id: $id) { messageCount messages(first: 100) { edges { node { body internal } } } } }`;
    const seen = (await gql(url, CONVERSATION, { id: ticket }, { token: secret })).data!.workOrder;
    expect(JSON.stringify(seen)).not.toContain(note);
    expect(seen.messages.edges.every((e: { node: { internal: boolean } }) => !e.node.internal)).toBe(true);
    expect(seen.messageCount).toBe(seen.messages.edges.length);
    expect(codes(await gql(url, `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }`, { input: { workOrderId: ticket, body: 'psst', internal: true, clientMutationId: randomUUID() } }, { token: secret }))).toEqual(['FORBIDDEN']);
    const { secret: withNotes } = await newKey(['tickets:read', 'notes:read']);
    expect(JSON.stringify((await gql(url, CONVERSATION, { id: ticket }, { token: withNotes })).data!.workOrder)).toContain(note);
  });

  it('stop at once when revoked or expired, and a rotated key overlaps its replacement', async () => {
    const Q = `{ workOrderQueue(first: 1) { edges { node { id } } } }`;
    const { secret, key } = await newKey(['tickets:read']);
    expect((await gql(url, Q, {}, { token: secret })).errors).toBeUndefined();
    const rotated = await gql(url, `mutation($id: ID!) { rotateApiKey(id: $id, overlapHours: 1) { secret key { id scopes } } }`, { id: key.id }, { token: admin });
    const next = rotated.data!.rotateApiKey;
    expect(next.key.scopes).toEqual(['tickets:read']);
    // Both work during the overlap.
    for (const token of [secret, next.secret]) expect((await gql(url, Q, {}, { token })).errors).toBeUndefined();
    expect(codes(await gql(url, `mutation($id: ID!) { revokeApiKey(id: $id) { status } }`, { id: next.key.id }, { token: prairieAdmin }))).toEqual(['NOT_FOUND']);
    expect((await gql(url, `mutation($id: ID!) { revokeApiKey(id: $id) { status } }`, { id: key.id }, { token: admin })).data!.revokeApiKey.status).toBe('REVOKED');
    expect(codes(await gql(url, Q, {}, { token: secret }))).toEqual(['UNAUTHENTICATED']);
    expect((await gql(url, Q, {}, { token: next.secret })).errors).toBeUndefined();
    // A key that has expired.
    const soon = await newKey(['tickets:read'], { expiresAt: new Date(Date.now() + 1500).toISOString() });
    expect((await gql(url, Q, {}, { token: soon.secret })).errors).toBeUndefined();
    const deadline = Date.now() + 10_000;
    let after = await gql(url, Q, {}, { token: soon.secret });
    while (!after.errors && Date.now() < deadline) after = await gql(url, Q, {}, { token: soon.secret });
    expect(codes(after)).toEqual(['UNAUTHENTICATED']);
    // A made-up or altered key.
    expect(codes(await gql(url, Q, {}, { token: `${next.secret.slice(0, -1)}${next.secret.endsWith('A') ? 'B' : 'A'}` }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await gql(url, Q, {}, { token: 'wisp_live_nonsense' }))).toEqual(['UNAUTHENTICATED']);
  });

  it('subscribe to live updates by connection_init, within their scopes', async () => {
    const { secret } = await newKey(['tickets:read']);
    const client = liveClient(url, secret);
    try {
      const queue = client.subscribe(`subscription { queueChanged { cursor kind } }`);
      const mine = client.subscribe(`subscription { myWorkOrdersChanged { cursor } }`);
      await until(() => queue.started.length === 1 && mine.errors.length === 1, 'the subscriptions to be answered', 20_000).catch((err) => {
        throw new Error(`${(err as Error).message}: ${JSON.stringify({ queue: { started: queue.started, errors: queue.errors, closes: queue.closes }, mine: { errors: mine.errors, closes: mine.closes } })}`);
      });
      expect(mine.errors[0].extensions?.code ?? mine.errors[0][0]?.extensions?.code).toBe('FORBIDDEN');
    } finally {
      await client.dispose();
    }
  });

  it('replace logins for integrators: a Firebase login with the INTEGRATOR role is refused', async () => {
    const { firebaseAuth, claimsFor, Role } = await import('@wisp/shared');
    const { authTenantIdFor } = await import('@wisp/shared/testing');
    const auth = firebaseAuth().tenantManager().authForTenant(await authTenantIdFor('skyline'));
    const email = `old-integration-${randomUUID().slice(0, 8)}@skyline.example`;
    const user = await auth.createUser({ email, password: 'integration-password' });
    await auth.setCustomUserClaims(user.uid, { ...claimsFor({ role: Role.INTEGRATOR, tenantId: tenantId('skyline') }) });
    expect(codes(await gql(url, `{ viewer { uid } }`, {}, { token: await emulatorIdToken(email, 'skyline') }))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('the scope table', () => {
  it('names the scope of every root field of the composed schema, and only of those', () => {
    const require = createRequire(new URL('../gateway/package.json', import.meta.url));
    const { Supergraph } = require('@apollo/federation-internals') as { Supergraph: { build: (sdl: string) => { apiSchema: () => { toGraphQLJSSchema: () => import('graphql').GraphQLSchema } } } };
    const api = Supergraph.build(readFileSync(new URL('../schema/supergraph.graphql', import.meta.url), 'utf8')).apiSchema().toGraphQLJSSchema();
    const roots = [api.getQueryType(), api.getMutationType(), api.getSubscriptionType()].flatMap((t) => Object.keys(t!.getFields()).map((f) => `${t!.name}.${f}`));
    expect(roots.filter((r) => !(r in ROOT_FIELD_SCOPES))).toEqual([]);
    expect(Object.keys(ROOT_FIELD_SCOPES).filter((r) => !roots.includes(r))).toEqual([]);
    for (const scope of Object.values(ROOT_FIELD_SCOPES)) if (scope && scope !== 'any') expect(Object.keys(API_SCOPES)).toContain(scope);
  });
});

