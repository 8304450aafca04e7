/**
 * Which languages a WISP's portal offers: kept with its branding by the tenant subgraph, shown on
 * the public portal lookup (the portal never serves a language outside it), all supported ones
 * unless the WISP chose fewer.
 */
import { Role } from '@wisp/shared';
import { codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestTenant, type TestTenant } from './tenantFixtures.ts';

const url = inject('gatewayUrl');
const FIELDS = 'defaultLanguage portalLanguages';
const UPDATE = `mutation($tenantId: ID, $input: BrandingInput!) {
  updateBranding(tenantId: $tenantId, input: $input) { ok errors { field message code } branding { ${FIELDS} } }
}`;

let ops: string;
let tenant: TestTenant;
let admin: string;

beforeAll(async () => {
  ops = await emulatorIdToken('ops@platform.example');
  tenant = await createTestTenant(url, ops, 'langs');
  admin = await tenant.adminToken();
});

const save = async (input: Record<string, unknown>, token = admin, tenantId?: string) => gql(url, UPDATE, { input, ...(tenantId ? { tenantId } : {}) }, { token });
const stored = async () => (await gql(url, `{ viewer { tenant { branding { ${FIELDS} } } } }`, {}, { token: admin })).data!.viewer.tenant.branding;
const publicLookup = async () => (await gql(url, `query($h: String!) { portalBranding(host: $h) { ${FIELDS} } }`, { h: `${tenant.slug}.localhost` })).data!.portalBranding;

describe('the languages a portal offers', () => {
  it('are all supported languages until the WISP chooses', async () => {
    expect((await stored()).portalLanguages).toEqual(['en', 'es', 'fr']);
    expect((await publicLookup()).portalLanguages).toEqual(['en', 'es', 'fr']);
  });

  it('are saved in the WISP’s order and shown on the public lookup; choosing all of them offers all again', async () => {
    const r = await save({ portalLanguages: ['es', ' EN ', 'es'] });
    expect(r.data!.updateBranding).toMatchObject({ ok: true, errors: [], branding: { portalLanguages: ['es', 'en'] } });
    expect((await publicLookup()).portalLanguages).toEqual(['es', 'en']);
    expect((await save({ portalLanguages: ['fr', 'en', 'es'] })).data!.updateBranding.branding.portalLanguages).toEqual(['en', 'es', 'fr']);
    expect((await save({ portalLanguages: [] })).data!.updateBranding.branding.portalLanguages).toEqual(['en', 'es', 'fr']);
  });

  it('refuse a language the platform does not have, and save nothing', async () => {
    const before = await stored();
    const r = await save({ portalLanguages: ['en', 'de'], supportHours: 'Not saved either' });
    expect(r.data!.updateBranding.ok).toBe(false);
    expect(r.data!.updateBranding.errors).toEqual([{ field: 'portalLanguages', message: expect.any(String), code: 'BAD_USER_INPUT' }]);
    expect(await stored()).toEqual(before);
  });

  it('must include the default language, whichever of the two is changed', async () => {
    expect((await save({ defaultLanguage: 'fr', portalLanguages: [] })).data!.updateBranding.ok).toBe(true);
    const dropped = await save({ portalLanguages: ['en', 'es'] });
    expect(dropped.data!.updateBranding.errors).toEqual([{ field: 'portalLanguages', message: expect.stringContaining('default language'), code: 'BAD_USER_INPUT' }]);
    expect((await save({ portalLanguages: ['en', 'es'], defaultLanguage: 'es' })).data!.updateBranding).toMatchObject({ ok: true, branding: { defaultLanguage: 'es', portalLanguages: ['en', 'es'] } });
    const outside = await save({ defaultLanguage: 'fr' });
    expect(outside.data!.updateBranding.errors.map((e: { field: string }) => e.field)).toEqual(['defaultLanguage']);
    expect(await stored()).toEqual({ defaultLanguage: 'es', portalLanguages: ['en', 'es'] });
  });

  it("can be changed by neither another tenant's admin nor the tenant's agents", async () => {
    const before = await stored();
    const skylineAdmin = await emulatorIdToken('admin@skyline.example', 'skyline');
    expect(codes(await save({ portalLanguages: ['fr'] }, skylineAdmin, tenant.id))).toEqual(['NOT_FOUND']);
    const agent = await tenant.loginAs(Role.AGENT, `agent@${tenant.slug}.example`);
    expect(codes(await save({ portalLanguages: ['fr'] }, agent))).toEqual(['FORBIDDEN']);
    expect(await stored()).toEqual(before);
  });
});
