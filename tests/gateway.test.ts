/** The gateway as clients see it: the API contract across four subgraphs, isolation, bad input. */
import { start as startGateway } from '@wisp/gateway';
import { firebaseAuth } from '@wisp/shared';
import { getIntrospectionQuery } from 'graphql';
import { authTenantIdFor, codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { customerId, tenantId, workOrderId } from './demo.ts';

const url = inject('gatewayUrl');
let alice: string;
let bob: string;
let prairieAlice: string;
let agent: string;
let ops: string;

beforeAll(async () => {
  [alice, bob, prairieAlice, agent, ops] = await Promise.all([
    emulatorIdToken('alice@skyline.example', 'skyline'),
    emulatorIdToken('bob@skyline.example', 'skyline'),
    emulatorIdToken('alice@prairie.example', 'prairie'),
    emulatorIdToken('agent@skyline.example', 'skyline'),
    emulatorIdToken('ops@platform.example'),
  ]);
});

const ACROSS_ALL_FOUR = /* GraphQL */ `
  query Dashboard {
    viewer {
      uid
      role
      tenant { id slug name }
      customer {
        id
        name
        tickets(first: 100) {
          edges { node { number title customer { name } messages(first: 10) { edges { node { body authorKind internal author { name } } } } } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
`;

describe('the API contract', () => {
  it("answers one customer query that crosses all four subgraphs, with only that customer's data", async () => {
    const r = await gql(url, ACROSS_ALL_FOUR, {}, { token: alice });
    expect(r.errors).toBeUndefined();
    const viewer = r.data!.viewer;
    expect(viewer).toMatchObject({ role: 'CUSTOMER', tenant: { slug: 'skyline', name: 'Skyline Wireless' }, customer: { name: 'Alice Nguyen' } });
    const tickets = viewer.customer.tickets.edges.map((e: any) => e.node);
    // Her own ticket and the outage on her tower; never Bob's ticket or Carol's. (Other tests open
    // more tickets for her, so every ticket listed must be hers or one she is affected by.)
    const numbers = tickets.map((t: any) => t.number);
    expect(numbers).toEqual(expect.arrayContaining(['SKY-1001', 'SKY-1003']));
    expect(numbers).not.toContain('SKY-1002');
    expect(numbers).not.toContain('SKY-1004');
    for (const t of tickets) expect(t.customer === null || t.customer.name === 'Alice Nguyen', t.number).toBe(true);
    const own = tickets.find((t: any) => t.number === 'SKY-1001');
    expect(own.customer.name).toBe('Alice Nguyen');
    const bodies = own.messages.edges.map((e: any) => e.node);
    expect(bodies.map((m: any) => m.authorKind)).toEqual(['CUSTOMER', 'AGENT', 'SYSTEM']);
    expect(bodies[0].author.name).toBe('Alice Nguyen');
    expect(bodies.every((m: any) => m.internal === false)).toBe(true);
    expect(JSON.stringify(r.data)).not.toContain('oversubscribed');
  });

  it('lets staff read internal notes their customers never see', async () => {
    const r = await gql(url, `{ workOrder(id: "${workOrderId('skyline', 1001)}") { messages { edges { node { body internal } } } } }`, {}, { token: agent });
    expect(r.errors).toBeUndefined();
    expect(r.data!.workOrder.messages.edges.some((e: any) => e.node.internal)).toBe(true);
  });

  it('pages tickets with cursors', async () => {
    const all = await gql(url, `{ viewer { customer { tickets(first: 100) { edges { node { number } } } } } }`, {}, { token: alice });
    const everything = all.data!.viewer.customer.tickets.edges.map((e: any) => e.node.number);
    expect(everything.length).toBeGreaterThanOrEqual(2);
    const first = await gql(url, `{ viewer { customer { tickets(first: 1) { edges { cursor node { number } } pageInfo { hasNextPage endCursor } } } } }`, {}, { token: alice });
    const page1 = first.data!.viewer.customer.tickets;
    expect(page1.edges).toHaveLength(1);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const second = await gql(
      url,
      `query($after: String) { viewer { customer { tickets(first: 100, after: $after) { edges { node { number } } pageInfo { hasNextPage } } } } }`,
      { after: page1.pageInfo.endCursor },
      { token: alice },
    );
    const page2 = second.data!.viewer.customer.tickets;
    expect(page2.edges.map((e: any) => e.node.number)).not.toContain(page1.edges[0].node.number);
    // The two pages together hold the whole list, each ticket once (tests running alongside may add newer ones).
    const combined = [page1.edges[0].node.number, ...page2.edges.map((e: any) => e.node.number)];
    expect(new Set(combined).size).toBe(combined.length);
    expect(combined).toEqual(expect.arrayContaining(everything));
    expect(page2.pageInfo.hasNextPage).toBe(false);
  });

  it('rejects page sizes and cursors it cannot honour', async () => {
    const big = await gql(url, `{ viewer { customer { tickets(first: 5000) { edges { cursor } } } } }`, {}, { token: alice });
    expect(codes(big)).toContain('BAD_USER_INPUT');
    const bad = await gql(url, `{ viewer { customer { tickets(after: "bm9wZQ") { edges { cursor } } } } }`, {}, { token: alice });
    expect(codes(bad)).toContain('BAD_USER_INPUT');
  });

  it('lets a platform operator read any tenant, and an anonymous caller none', async () => {
    const r = await gql(url, `{ skyline: tenant(slug: "skyline") { name } prairie: tenant(slug: "prairie") { name } viewer { role tenant { id } customer { id } } }`, {}, { token: ops });
    expect(r.data).toMatchObject({ skyline: { name: 'Skyline Wireless' }, prairie: { name: 'Prairie Air Networks' }, viewer: { role: 'PLATFORM_OPERATOR', tenant: null, customer: null } });
    const anon = await gql(url, `{ viewer { uid } tenant(slug: "skyline") { name } }`);
    expect(anon.data?.viewer ?? null).toBeNull();
    expect(codes(anon)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('isolation between customers and tenants', () => {
  it("gives a customer nothing of another customer's record or ticket", async () => {
    const r = await gql(url, `{ customer(id: "${customerId('skyline', 'bob')}") { name phone } }`, {}, { token: alice });
    expect(r.data?.customer ?? null).toBeNull();
    expect(codes(r)).toEqual(['NOT_FOUND']);
    const t = await gql(url, `{ workOrder(id: "${workOrderId('skyline', 1002)}") { title } }`, {}, { token: alice });
    expect(codes(t)).toEqual(['NOT_FOUND']);
    const own = await gql(url, `{ workOrder(id: "${workOrderId('skyline', 1002)}") { title } }`, {}, { token: bob });
    expect(own.data!.workOrder.title).toBe('Router keeps rebooting');
  });

  it("does not list another customer's tickets through their record", async () => {
    const r = await gql(url, `{ viewer { customer { id } } c: customer(id: "${customerId('skyline', 'alice')}") { tickets { edges { node { number } } } } }`, {}, { token: bob });
    expect(codes(r)).toContain('NOT_FOUND');
    expect(JSON.stringify(r.data)).not.toContain('SKY-1001');
  });

  it("gives a token of one tenant nothing of another tenant's data", async () => {
    const probes = [
      `{ tenant(slug: "prairie") { name } }`,
      `{ customer(id: "${customerId('prairie', 'alice')}") { name } }`,
      `{ workOrder(id: "${workOrderId('prairie', 1001)}") { title } }`,
    ];
    for (const token of [alice, agent]) {
      for (const q of probes) {
        const r = await gql(url, q, {}, { token });
        expect(codes(r), q).toEqual(['NOT_FOUND']);
        expect(JSON.stringify(r.data ?? null)).not.toMatch(/Prairie|Johansson|Slow speeds/);
      }
    }
    const own = await gql(url, `{ viewer { tenant { slug } customer { name } } }`, {}, { token: prairieAlice });
    expect(own.data!.viewer).toEqual({ tenant: { slug: 'prairie' }, customer: { name: 'Alice Johansson' } });
  });

  it('keeps the same email at two WISPs as two separate logins', async () => {
    const [atSkyline, atPrairie] = await Promise.all([emulatorIdToken('carol@shared.example', 'skyline'), emulatorIdToken('carol@shared.example', 'prairie')]);
    const q = `{ viewer { uid tenant { slug } customer { id accountNumber } } }`;
    const [a, b] = await Promise.all([gql(url, q, {}, { token: atSkyline }), gql(url, q, {}, { token: atPrairie })]);
    expect(a.data!.viewer).toMatchObject({ tenant: { slug: 'skyline' }, customer: { accountNumber: 'SKY-10003' } });
    expect(b.data!.viewer).toMatchObject({ tenant: { slug: 'prairie' }, customer: { accountNumber: 'PRA-20003' } });
    expect(a.data!.viewer.uid).not.toBe(b.data!.viewer.uid);
    const cross = await gql(url, `{ customer(id: "${customerId('prairie', 'carol')}") { name } }`, {}, { token: atSkyline });
    expect(codes(cross)).toEqual(['NOT_FOUND']);
  });
});

describe('authentication', () => {
  it('refuses a malformed or forged token', async () => {
    for (const authorization of ['Bearer nope', 'Basic abc', `Bearer ${alice.slice(0, -4)}AAAA`]) {
      const r = await gql(url, '{ viewer { uid } }', {}, { headers: { authorization } });
      expect(r.status, authorization).toBe(401);
      expect(codes(r)).toEqual(['UNAUTHENTICATED']);
    }
  });

  it('takes identity only from server-set claims: a self-registered login has no access', async () => {
    const authTenant = await authTenantIdFor('skyline');
    const host = inject('emulatorHost');
    const signUp = await fetch(`http://${host}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=demo-api-key`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `intruder-${Date.now()}@evil.example`, password: 'secret-password', tenantId: authTenant, returnSecureToken: true }),
    });
    const { idToken } = (await signUp.json()) as { idToken: string };
    // A client cannot set its own claims: the update call ignores or refuses customAttributes.
    await fetch(`http://${host}/identitytoolkit.googleapis.com/v1/accounts:update?key=demo-api-key`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ idToken, tenantId: authTenant, customAttributes: JSON.stringify({ role: 'PLATFORM_OPERATOR', tenantId: tenantId('skyline') }) }),
    });
    const r = await gql(url, `{ viewer { role } }`, {}, { token: idToken });
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
    // Nor do arguments name an identity: asking for someone's record by id is a visibility check, not a login.
    const byId = await gql(url, `{ customer(id: "${customerId('skyline', 'alice')}") { name } }`, {}, { token: idToken });
    expect(codes(byId)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a disabled login at once', async () => {
    const auth = firebaseAuth().tenantManager().authForTenant(await authTenantIdFor('prairie'));
    const email = `disabled-${Date.now()}@prairie.example`;
    const user = await auth.createUser({ email, password: 'secret-password' });
    await auth.setCustomUserClaims(user.uid, { role: 'CUSTOMER', tenantId: tenantId('prairie'), customerId: customerId('prairie', 'bob') });
    await auth.updateUser(user.uid, { disabled: true });
    await expect(emulatorIdToken(email, 'prairie')).rejects.toThrow(/USER_DISABLED|refused/);
  });
});

describe('bad requests', () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('answers unparseable GraphQL with a coded error', async () => {
    const r = await gql(url, '{ viewer { uid ');
    expect(r.status).toBe(400);
    expect(codes(r)).toEqual(['GRAPHQL_PARSE_FAILED']);
  });

  it('answers unknown fields with a validation error', async () => {
    const r = await gql(url, '{ viewer { password } }');
    expect(r.status).toBe(400);
    expect(codes(r)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('answers a body that is not JSON with a coded error', async () => {
    const res = await post('{"query": ');
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('refuses an oversized body', async () => {
    const res = await post(JSON.stringify({ query: `{ viewer { uid } }${' '.repeat(1_100_000)}` }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('refuses queries nested too deep', async () => {
    const deep = `{ viewer { customer { tickets { edges { node { messages { edges { node { workOrder { messages { edges { node { workOrder { messages { edges { node { id } } } } } } } } } } } } } } } } }`;
    const r = await gql(url, deep, {}, { token: alice });
    expect(r.status).toBe(400);
    expect(codes(r)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(r.errors![0]!.message).toMatch(/levels deep/);
  });

  it('refuses too many aliases', async () => {
    const aliased = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: viewer { uid }`).join(' ')} }`;
    const r = await gql(url, aliased, {}, { token: alice });
    expect(codes(r)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(r.errors![0]!.message).toMatch(/aliases/);
  });

  it('refuses documents with too many tokens before parsing them all', async () => {
    const huge = `{ ${Array.from({ length: 6000 }, () => '__typename').join(' ')} }`;
    const r = await gql(url, huge);
    expect(r.status).toBe(400);
    expect(codes(r)).toEqual(['GRAPHQL_PARSE_FAILED']);
  });

  it('blocks simple cross-site requests (CSRF prevention)', async () => {
    const res = await fetch(`${url}?query=${encodeURIComponent('{ viewer { uid } }')}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/preflight/i);
  });

  it('answers a document whose operation cannot be picked with 400 and a code', async () => {
    const two = await post(JSON.stringify({ query: 'query A { viewer { uid } } query B { viewer { role } }' }));
    expect(two.status).toBe(400);
    expect(((await two.json()) as any).errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    const unknown = await post(JSON.stringify({ query: 'query A { viewer { uid } }', operationName: 'Nope' }));
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as any).errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    const named = await post(JSON.stringify({ query: 'query A { viewer { uid } } query B { viewer { role } }', operationName: 'B' }), { authorization: `Bearer ${alice}` });
    expect(((await named.json()) as any).data.viewer.role).toBe('CUSTOMER');
  });

  it('answers no introspection unless GRAPHQL_INTROSPECTION=true', async () => {
    const r = await gql(url, '{ __schema { queryType { name } } }');
    expect(r.status).toBe(400);
    expect(codes(r)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(JSON.stringify(r.data ?? null)).not.toContain('Query');
  });

  it('applies the depth limit to introspection too', async () => {
    const nested = `{ __type(name: "Query") { fields { type ${'{ ofType '.repeat(16)}{ name }${' }'.repeat(16)} } } }`;
    const r = await gql(url, nested);
    expect(r.status).toBe(400);
    expect(r.errors!.some((e) => /levels deep/.test(e.message))).toBe(true);
  });

  it('tells clients nothing of the subgraphs behind it', async () => {
    // Every kind of failure a client can provoke: refusals, bad input, not found, bad documents.
    const probes = [
      gql(url, `{ customer(id: "${customerId('skyline', 'bob')}") { name } }`, {}, { token: alice }),
      gql(url, `{ workOrder(id: "nope") { title } }`, {}, { token: alice }),
      gql(url, `{ viewer { customer { tickets(first: 5000) { edges { cursor } } } } }`, {}, { token: alice }),
      gql(url, `{ callbackRequests { id } }`, {}, { token: alice }),
      gql(url, `{ tenant(slug: "skyline") { name } }`),
    ];
    for (const r of await Promise.all(probes)) {
      expect(r.errors?.length).toBeGreaterThan(0);
      const text = JSON.stringify(r.errors);
      expect(text).not.toMatch(/serviceName|"response"|127\.0\.0\.1|localhost|:\d{4,5}\/graphql|stacktrace/);
    }
  });

  it('serves /healthz', async () => {
    const res = await fetch(url.replace(/\/graphql$/, '/healthz'));
    expect(res.status).toBe(200);
  });
});

describe('configuration', () => {
  const options = () => ({ identitySecret: inject('identitySecret'), firebaseProjectId: inject('projectId'), subgraphUrls: inject('subgraphUrls') });

  it('answers the standard introspection query when introspection is turned on', async () => {
    const gw = await startGateway({ ...options(), introspection: true });
    try {
      const r = await gql(gw.url, getIntrospectionQuery());
      expect(r.errors).toBeUndefined();
      expect(r.data!.__schema.queryType.name).toBe('Query');
    } finally {
      await gw.stop();
    }
  });

  it('refuses to start with the Auth emulator under NODE_ENV=production', async () => {
    const before = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await expect(startGateway(options())).rejects.toThrow(/FIREBASE_AUTH_EMULATOR_HOST/);
    } finally {
      process.env.NODE_ENV = before;
    }
  });
});
