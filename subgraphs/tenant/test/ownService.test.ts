/**
 * The tenant subgraph alone, on its own database: a branding change is published with the
 * tenant's state in the same write path, and the subgraph touches nothing but its own data and
 * the shared plumbing.
 */
import { Role, type Identity } from '@wisp/shared';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { callAs, openEventLog, ownDatabases } from '../../../tests/ownService.ts';
import { start } from '../src/server.ts';
import { NEUTRAL_BRANDING } from '../src/branding/neutralBranding.ts';

const { mongo, touched } = ownDatabases();
let running: Awaited<ReturnType<typeof start>>;
let log: Awaited<ReturnType<typeof openEventLog>>;
const tenantId = new Types.ObjectId();
const admin: Identity = { uid: 'own-admin', role: Role.TENANT_ADMIN, tenantId: String(tenantId) };

beforeAll(async () => {
  running = await start({ mongo, identitySecret: inject('identitySecret') });
  log = await openEventLog(mongo);
  // A tenant as an earlier release left it (saved before tenants published state).
  await running.models.Tenant.collection.insertOne({ _id: tenantId, slug: 'own-tenant', name: 'Own Tenant', status: 'ACTIVE', domains: [], firebaseTenantId: 'own-pool', branding: { ...NEUTRAL_BRANDING, companyName: 'Own Tenant', displayName: 'Own Tenant' }, brandingVersion: 0 });
});
afterAll(async () => {
  await log?.close();
  await running?.stop();
});

describe('the tenant subgraph on its own', () => {
  it('publishes a branding change with the tenant\'s state', async () => {
    const r = await callAs(running.url, admin, `mutation($input: BrandingInput!) { updateBranding(input: $input) { ok version } }`, { input: { companyName: 'Own Wireless' } });
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect(r.data!.updateBranding).toEqual({ ok: true, version: 1 });
    const { events } = await log.readAfter(0, 1000);
    const published = events.filter((e) => e.entityId === String(tenantId) && e.type === 'branding.published');
    expect(published).toHaveLength(1);
    expect(published[0]!.state).toMatchObject({ slug: 'own-tenant', authTenantId: 'own-pool', brandingVersion: 1, branding: { companyName: 'Own Wireless' } });
  });

  it('refuses another tenant\'s admin and integrators', async () => {
    const other: Identity = { uid: 'x', role: Role.TENANT_ADMIN, tenantId: new Types.ObjectId().toHexString() };
    expect((await callAs(running.url, other, `{ brandingHistory(tenantId: "${tenantId}") { edges { node { version } } } }`)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const key: Identity = { uid: 'key:x', role: Role.INTEGRATOR, tenantId: String(tenantId), scopes: ['tickets:read'] };
    expect((await callAs(running.url, key, `mutation { updateBranding(input: { companyName: "Mine" }) { ok } }`)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('sent commands only to its own database and the shared plumbing', () => {
    expect([...touched.keys()]).toEqual(['tenant']);
    for (const database of touched.get('tenant')!) expect(['tenant', 'events', 'outbox']).toContain(database);
  });
});
