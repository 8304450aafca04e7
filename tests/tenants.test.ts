/** The tenant registry: who may run it, unique slugs and domains, suspension cutting off logins. */
import { firebaseAuth, Role } from '@wisp/shared';
import { codes, emulatorIdToken, gql, signedFor } from '@wisp/shared/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { liveClient, until } from './live.ts';
import { createTestTenant, uniqueSlug } from './tenantFixtures.ts';
import { tenantId } from './demo.ts';

const url = inject('gatewayUrl');
let ops: string;
let skylineAdmin: string;
let skylineAlice: string;

beforeAll(async () => {
  [ops, skylineAdmin, skylineAlice] = await Promise.all([
    emulatorIdToken('ops@platform.example'),
    emulatorIdToken('admin@skyline.example', 'skyline'),
    emulatorIdToken('alice@skyline.example', 'skyline'),
  ]);
});

const CREATE = `mutation($input: CreateTenantInput!) { createTenant(input: $input) { id slug name status domains branding { companyName version } } }`;
const BRANDING_HOST = `query($host: String!) { portalBranding(host: $host) { tenantSlug suspended companyName } }`;

describe('creating tenants', () => {
  it('lets the platform operator create a tenant that answers on {slug}.localhost at once', async () => {
    const slug = uniqueSlug('new');
    const r = await gql(url, CREATE, { input: { slug, name: 'Mesa Broadband' } }, { token: ops });
    expect(r.errors).toBeUndefined();
    expect(r.data!.createTenant).toMatchObject({ slug, name: 'Mesa Broadband', status: 'ACTIVE', domains: [], branding: { companyName: 'Mesa Broadband', version: 0 } });
    const pb = await gql(url, BRANDING_HOST, { host: `${slug}.localhost:3000` });
    expect(pb.data!.portalBranding).toEqual({ tenantSlug: slug, suspended: false, companyName: 'Mesa Broadband' });
  });

  it('refuses a second tenant with a taken slug, and returns the same tenant to a retried create', async () => {
    const slug = uniqueSlug('dup');
    const first = await gql(url, CREATE, { input: { slug, name: 'First', clientMutationId: 'm-1' } }, { token: ops });
    const retry = await gql(url, CREATE, { input: { slug, name: 'First', clientMutationId: 'm-1' } }, { token: ops });
    expect(retry.data!.createTenant.id).toBe(first.data!.createTenant.id);
    const other = await gql(url, CREATE, { input: { slug, name: 'Second', clientMutationId: 'm-2' } }, { token: ops });
    expect(codes(other)).toEqual(['CONFLICT']);
    const skyline = await gql(url, CREATE, { input: { slug: 'skyline', name: 'Impostor' } }, { token: ops });
    expect(codes(skyline)).toEqual(['CONFLICT']);
    const list = await gql(url, `{ tenants { slug } }`, {}, { token: ops });
    expect(list.data!.tenants.filter((t: { slug: string }) => t.slug === slug)).toHaveLength(1);
  });

  it('gives concurrent retries of one create the same tenant and one login pool', async () => {
    const slug = uniqueSlug('retry');
    const results = await Promise.all([1, 2, 3].map(() => gql(url, `mutation($input: CreateTenantInput!) { createTenant(input: $input) { id } }`, { input: { slug, name: 'Retried', clientMutationId: `c-${slug}` } }, { token: ops })));
    expect(results.map((r) => r.errors)).toEqual([undefined, undefined, undefined]);
    expect(new Set(results.map((r) => r.data!.createTenant.id)).size).toBe(1);
    const pb = await gql(url, BRANDING_HOST, { host: `${slug}.localhost` });
    expect(pb.data!.portalBranding.tenantSlug).toBe(slug);
    const { tenants } = await firebaseAuth().tenantManager().listTenants(1000);
    expect(tenants.filter((t) => t.displayName === slug)).toHaveLength(1);
  });

  it('creates one tenant when the same slug is created concurrently', async () => {
    const slug = uniqueSlug('race');
    const results = await Promise.all([1, 2, 3, 4].map((i) => gql(url, CREATE, { input: { slug, name: `Race ${i}` } }, { token: ops })));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors).map((r) => codes(r)[0])).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT']);
  });

  it('rejects malformed slugs and names with BAD_USER_INPUT', async () => {
    for (const input of [
      { slug: 'A', name: 'x' },
      { slug: 'has space', name: 'x' },
      { slug: '../../etc', name: 'x' },
      { slug: 'waytoolongslugforatenant-abc', name: 'x' },
      { slug: uniqueSlug('ok'), name: '' },
      { slug: uniqueSlug('ok'), name: 'x'.repeat(101) },
    ]) {
      const r = await gql(url, CREATE, { input }, { token: ops });
      expect(codes(r), JSON.stringify(input)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('lets no one but the platform operator create, rename or suspend tenants', async () => {
    for (const token of [skylineAdmin, skylineAlice]) {
      expect(codes(await gql(url, CREATE, { input: { slug: uniqueSlug('no'), name: 'Nope' } }, { token }))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(url, `mutation { renameTenant(id: "${tenantId('skyline')}", name: "Mine") { name } }`, {}, { token }))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(url, `mutation { suspendTenant(id: "${tenantId('prairie')}") { status } }`, {}, { token }))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(url, `{ tenants { slug } }`, {}, { token }))).toEqual(['FORBIDDEN']);
    }
    expect(codes(await gql(url, CREATE, { input: { slug: uniqueSlug('no'), name: 'Nope' } }))).toEqual(['UNAUTHENTICATED']);
    const still = await gql(url, `{ tenant(slug: "prairie") { name status } }`, {}, { token: ops });
    expect(still.data!.tenant).toEqual({ name: 'Prairie Air Networks', status: 'ACTIVE' });
  });

  it('renames a tenant, and answers NOT_FOUND for unknown ids', async () => {
    const t = await createTestTenant(url, ops, 'ren');
    const r = await gql(url, `mutation($id: ID!) { renameTenant(id: $id, name: "  Renamed WISP ") { name } }`, { id: t.id }, { token: ops });
    expect(r.data!.renameTenant.name).toBe('Renamed WISP');
    for (const id of ['000000000000000000000000', 'nope', '{"$ne":null}']) {
      expect(codes(await gql(url, `mutation($id: ID!) { renameTenant(id: $id, name: "x") { name } }`, { id }, { token: ops }))).toEqual(['NOT_FOUND']);
    }
  });
});

describe('custom domains', () => {
  const ADD = `mutation($id: ID!, $domain: String!) { addTenantDomain(id: $id, domain: $domain) { domains } }`;
  const REMOVE = `mutation($id: ID!, $domain: String!) { removeTenantDomain(id: $id, domain: $domain) { domains } }`;

  it('resolves a claimed domain to its tenant and never lets another tenant claim it', async () => {
    const [a, b] = await Promise.all([createTestTenant(url, ops, 'doma'), createTestTenant(url, ops, 'domb')]);
    const domain = `portal.${a.slug}.example`;
    const added = await gql(url, ADD, { id: a.id, domain: domain.toUpperCase() + '.' }, { token: ops });
    expect(added.data!.addTenantDomain.domains).toEqual([domain]);
    expect((await gql(url, BRANDING_HOST, { host: domain })).data!.portalBranding.tenantSlug).toBe(a.slug);

    const stolen = await gql(url, ADD, { id: b.id, domain }, { token: ops });
    expect(codes(stolen)).toEqual(['CONFLICT']);
    // The demo tenants' domains are claimed too.
    expect(codes(await gql(url, ADD, { id: b.id, domain: 'portal.skyline.example' }, { token: ops }))).toEqual(['CONFLICT']);
    expect((await gql(url, BRANDING_HOST, { host: domain })).data!.portalBranding.tenantSlug).toBe(a.slug);

    // Adding it again to its owner is harmless; once released, another tenant may take it.
    expect((await gql(url, ADD, { id: a.id, domain }, { token: ops })).data!.addTenantDomain.domains).toEqual([domain]);
    expect((await gql(url, REMOVE, { id: a.id, domain }, { token: ops })).data!.removeTenantDomain.domains).toEqual([]);
    expect((await gql(url, BRANDING_HOST, { host: domain })).data!.portalBranding).toBeNull();
    expect((await gql(url, ADD, { id: b.id, domain }, { token: ops })).data!.addTenantDomain.domains).toEqual([domain]);
  });

  it('gives a domain added by two tenants at the same moment to exactly one of them', async () => {
    const tenants = await Promise.all([1, 2, 3].map(() => createTestTenant(url, ops, 'conc')));
    const domain = `race-${tenants[0]!.slug}.example`;
    const results = await Promise.all(tenants.map((t) => gql(url, ADD, { id: t.id, domain }, { token: ops })));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors).map((r) => codes(r)[0])).toEqual(['CONFLICT', 'CONFLICT']);
    const owners = await gql(url, `{ tenants { slug domains } }`, {}, { token: ops });
    expect(owners.data!.tenants.filter((t: { domains: string[] }) => t.domains.includes(domain))).toHaveLength(1);
  });

  it('rejects malformed domains and names under the platform base domain', async () => {
    const t = await createTestTenant(url, ops, 'bad');
    for (const domain of ['not a domain', 'localhost', 'evil.localhost', 'a..b.example', '-x.example', 'x'.repeat(300) + '.example', 'http://x.example/']) {
      expect(codes(await gql(url, ADD, { id: t.id, domain }, { token: ops })), domain).toEqual(['BAD_USER_INPUT']);
    }
  });
});

describe('suspension', () => {
  it("cuts off a suspended tenant's logins with FORBIDDEN and shows a suspended portal; reactivation restores both", async () => {
    const t = await createTestTenant(url, ops, 'susp');
    const customer = await t.loginAs(Role.CUSTOMER, `cust@${t.slug}.example`, '0123456789abcdef01234567');
    const admin = await t.adminToken();
    expect((await gql(url, `{ viewer { role tenant { slug } } }`, {}, { token: customer })).data!.viewer).toEqual({ role: 'CUSTOMER', tenant: { slug: t.slug } });

    const s = await gql(url, `mutation($id: ID!) { suspendTenant(id: $id) { status } }`, { id: t.id }, { token: ops });
    expect(s.data!.suspendTenant.status).toBe('SUSPENDED');
    await expect.poll(async () => codes(await gql(url, `{ viewer { uid } }`, {}, { token: customer })), { timeout: 10_000, interval: 500 }).toEqual(['FORBIDDEN']);
    const refused = await gql(url, `{ viewer { uid } }`, {}, { token: admin });
    expect(refused.status).toBe(403);
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, `mutation { updateBranding(input: { companyName: "x" }) { ok } }`, {}, { token: admin }))).toEqual(['FORBIDDEN']);
    expect((await gql(url, BRANDING_HOST, { host: `${t.slug}.localhost` })).data!.portalBranding).toMatchObject({ suspended: true });
    // Live updates refuse it too: the socket closes as for a revoked login.
    const socket = liveClient(url, customer);
    socket.subscribe('subscription { myWorkOrdersChanged { cursor kind } }');
    await until(() => socket.received.closes.length > 0, 'the live socket to close');
    expect(socket.received.closes[0]!.code).toBe(4403);
    await socket.dispose();
    // Other tenants are unaffected.
    expect(codes(await gql(url, `{ viewer { uid } }`, {}, { token: skylineAlice }))).toEqual([]);

    await gql(url, `mutation($id: ID!) { reactivateTenant(id: $id) { status } }`, { id: t.id }, { token: ops });
    await expect.poll(async () => codes(await gql(url, `{ viewer { uid } }`, {}, { token: customer })), { timeout: 10_000, interval: 500 }).toEqual([]);
    expect((await gql(url, BRANDING_HOST, { host: `${t.slug}.localhost` })).data!.portalBranding.suspended).toBe(false);
  });

  it('has the tenant subgraph refuse branding changes for a suspended tenant even when asked directly', async () => {
    const t = await createTestTenant(url, ops, 'direct');
    await gql(url, `mutation($id: ID!) { suspendTenant(id: $id) { status } }`, { id: t.id }, { token: ops });
    const admin = { uid: 'u-admin', role: Role.TENANT_ADMIN, tenantId: t.id };
    const update = `mutation { updateBranding(input: { companyName: "x" }) { ok } }`;
    const r = await gql(inject('subgraphUrls').tenant, update, {}, { headers: signedFor(admin, inject('identitySecret'), inject('subgraphUrls').tenant, update) });
    expect(codes(r)).toEqual(['FORBIDDEN']);
    const restoreOp = `mutation { restoreBranding(versionId: "000000000000000000000000") { ok } }`;
    const restore = await gql(inject('subgraphUrls').tenant, restoreOp, {}, { headers: signedFor(admin, inject('identitySecret'), inject('subgraphUrls').tenant, restoreOp) });
    expect(codes(restore)).toEqual(['FORBIDDEN']);
  });
});
