/**
 * A WISP's notification settings (time zone, default language, email and text senders): kept with
 * its branding by the tenant subgraph, checked per field, published with `branding.published`, and
 * so known to the customer subgraph, which writes the messages.
 */
import { randomUUID } from 'node:crypto';
import { Role } from '@wisp/shared';
import { codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createCustomer, eventually, newCustomer } from './portalAccounts.ts';
import { createTestTenant, type TestTenant } from './tenantFixtures.ts';

const url = inject('gatewayUrl');
const SETTINGS = 'timeZone defaultLanguage mailFromName mailFromAddress smsSenderId';
const UPDATE = `mutation($tenantId: ID, $input: BrandingInput!) {
  updateBranding(tenantId: $tenantId, input: $input) { ok errors { field message code } version branding { ${SETTINGS} version } }
}`;
const FEED = `query($after: String) { changes(after: $after, first: 500, types: ["branding.published"]) { cursor items { data } } }`;

type Settings = { timeZone: string | null; defaultLanguage: string | null; mailFromName: string | null; mailFromAddress: string | null; smsSenderId: string | null };
const CLEARED: Settings = { timeZone: null, defaultLanguage: null, mailFromName: null, mailFromAddress: null, smsSenderId: null };

let ops: string;
let tenant: TestTenant;
let admin: string;

beforeAll(async () => {
  ops = await emulatorIdToken('ops@platform.example');
  tenant = await createTestTenant(url, ops, 'notify');
  admin = await tenant.adminToken();
});

const save = async (input: Record<string, unknown>, token = admin, tenantId?: string) => gql(url, UPDATE, { input, ...(tenantId ? { tenantId } : {}) }, { token });
const stored = async (): Promise<Settings> => (await gql(url, `{ viewer { tenant { branding { ${SETTINGS} } } } }`, {}, { token: admin })).data!.viewer.tenant.branding;

describe('notification settings', () => {
  it('are saved, returned and shown on the public portal lookup; the time zone is spelled as the runtime spells it', async () => {
    const r = await save({ timeZone: ' america/chicago ', defaultLanguage: 'es', mailFromName: "O'Brien Wireless Support", mailFromAddress: 'notices@obrien.example', smsSenderId: 'OBrien 5G' });
    expect(r.errors).toBeUndefined();
    const expected = { timeZone: 'America/Chicago', defaultLanguage: 'es', mailFromName: "O'Brien Wireless Support", mailFromAddress: 'notices@obrien.example', smsSenderId: 'OBrien 5G' };
    expect(r.data!.updateBranding).toMatchObject({ ok: true, errors: [], branding: expected });
    expect(await stored()).toEqual(expected);
    const pb = await gql(url, `query($h: String!) { portalBranding(host: $h) { ${SETTINGS} } }`, { h: `${tenant.slug}.localhost` });
    expect(pb.data!.portalBranding).toEqual(expected);

    // An E.164 number is a sender id too.
    expect((await save({ smsSenderId: '+15550100200' })).data!.updateBranding).toMatchObject({ ok: true, branding: { smsSenderId: '+15550100200' } });
  });

  it('are published in the branding.published state, so the customer subgraph writes in the WISP’s language and time zone', async () => {
    const start = (await gql(url, FEED, {}, { token: admin })).data!.changes.cursor as string;
    const r = await save({ timeZone: 'Europe/Madrid', defaultLanguage: 'es', mailFromName: 'Canyon Air', mailFromAddress: 'hello@canyon.example', smsSenderId: 'CanyonAir' });
    expect(r.data!.updateBranding.ok).toBe(true);
    const version = r.data!.updateBranding.version as number;

    const feed = await gql(url, FEED, { after: start }, { token: admin });
    const published = feed.data!.changes.items.map((i: { data: string }) => JSON.parse(i.data)).find((d: { version: number }) => d.version === version);
    expect(published.state.branding).toMatchObject({ timeZone: 'Europe/Madrid', defaultLanguage: 'es', mailFromName: 'Canyon Air', mailFromAddress: 'hello@canyon.example', smsSenderId: 'CanyonAir' });

    // A customer without a language or zone of their own gets the WISP's, from the customer subgraph's copy of the tenant.
    const customer = await createCustomer(admin, newCustomer('NTF', null));
    const preferencesOf = async () => (await gql(url, `query($id: ID!) { customer(id: $id) { notificationPreferences { language effectiveTimeZone } } }`, { id: customer.id }, { token: admin })).data!.customer.notificationPreferences;
    await eventually(async () => (await preferencesOf()).effectiveTimeZone === 'Europe/Madrid');
    expect(await preferencesOf()).toEqual({ language: 'es', effectiveTimeZone: 'Europe/Madrid' });

    await save({ timeZone: 'America/Denver', defaultLanguage: 'en' });
    await eventually(async () => (await preferencesOf()).effectiveTimeZone === 'America/Denver');
    expect(await preferencesOf()).toEqual({ language: 'en', effectiveTimeZone: 'America/Denver' });
  });

  it.each([
    ['timeZone', 'Mars/Olympus_Mons'],
    ['timeZone', '+05:00'],
    ['timeZone', 'America/Chicago; rm'],
    ['defaultLanguage', 'de'],
    ['defaultLanguage', 'english'],
    ['mailFromName', 'Skyline\r\nBcc: everyone@victim.example'],
    ['mailFromName', 'Skyline\nSupport'],
    ['mailFromName', 'Skyline Support\r\n'],
    ['mailFromName', 'Skyline\u2028Support'],
    ['mailFromName', 'Sky\tline'],
    ['mailFromName', 'The "best" WISP'],
    ['mailFromName', 'Skyline <support@skyline.example>'],
    ['mailFromName', 'Sky\\line'],
    ['mailFromName', 'x'.repeat(81)],
    ['mailFromAddress', 'Skyline <support@skyline.example>'],
    ['mailFromAddress', 'support@skyline.example\r\nBcc: everyone@victim.example'],
    ['mailFromAddress', 'support@skyline.example\n'],
    ['mailFromAddress', 'support@skyline.example, other@skyline.example'],
    ['mailFromAddress', 'support at skyline.example'],
    ['mailFromAddress', 'sup port@skyline.example'],
    ['mailFromAddress', 'support@localhost'],
    ['mailFromAddress', '"support"@skyline.example'],
    ['smsSenderId', '+1555010'],
    ['smsSenderId', '+1555010020030040'],
    ['smsSenderId', '+1 555 0100'],
    ['smsSenderId', 'AB'],
    ['smsSenderId', 'SkylineWISP1'],
    ['smsSenderId', '55501'],
    ['smsSenderId', 'Sky-line'],
    ['smsSenderId', 'Sky\r\nline'],
  ])('refuse %s %j, naming the field, and save nothing', async (field, value) => {
    const before = await stored();
    const r = await save({ [field]: value, supportHours: 'Not saved either' });
    expect(r.errors).toBeUndefined();
    expect(r.data!.updateBranding.ok).toBe(false);
    expect(r.data!.updateBranding.errors).toEqual([{ field, message: expect.any(String), code: 'BAD_USER_INPUT' }]);
    expect(await stored()).toEqual(before);
  });

  it('report every bad setting at once', async () => {
    const r = await save({ timeZone: 'Nowhere', defaultLanguage: 'xx', mailFromName: 'a\r\nb', mailFromAddress: 'a@', smsSenderId: '!' });
    expect(r.data!.updateBranding.errors.map((e: { field: string }) => e.field)).toEqual(['timeZone', 'defaultLanguage', 'mailFromName', 'mailFromAddress', 'smsSenderId']);
  });

  it('are cleared by an empty string, recorded in the history, and restored with an older version', async () => {
    const t = await createTestTenant(url, ops, 'notifyh');
    const token = await t.adminToken();
    const set = { timeZone: 'America/Chicago', defaultLanguage: 'es', mailFromName: 'Prairie Air', mailFromAddress: 'news@prairie.example', smsSenderId: 'PrairieAir' };
    const first = await save(set, token);
    expect(first.data!.updateBranding.branding).toMatchObject(set);
    const cleared = await save({ timeZone: '', defaultLanguage: '', mailFromName: '', mailFromAddress: '', smsSenderId: '' }, token);
    expect(cleared.data!.updateBranding).toMatchObject({ ok: true, branding: CLEARED });

    const history = await gql(url, `{ brandingHistory(first: 10) { edges { node { id version changes { field from to } branding { ${SETTINGS} } } } } }`, {}, { token });
    const [v2, v1] = history.data!.brandingHistory.edges.map((e: { node: unknown }) => e.node);
    expect(v1.changes).toEqual([
      { field: 'timeZone', from: null, to: '"America/Chicago"' },
      { field: 'defaultLanguage', from: null, to: '"es"' },
      { field: 'mailFromName', from: null, to: '"Prairie Air"' },
      { field: 'mailFromAddress', from: null, to: '"news@prairie.example"' },
      { field: 'smsSenderId', from: null, to: '"PrairieAir"' },
    ]);
    expect(v1.branding).toEqual(set);
    expect(v2.branding).toEqual(CLEARED);

    const restored = await gql(url, `mutation($id: ID!) { restoreBranding(versionId: $id) { ok version branding { ${SETTINGS} } } }`, { id: v1.id }, { token });
    expect(restored.data!.restoreBranding).toEqual({ ok: true, version: 3, branding: set });
    const published = (await gql(url, FEED, {}, { token })).data!.changes.items.map((i: { data: string }) => JSON.parse(i.data));
    expect(published.at(-1)).toMatchObject({ version: 3, state: { branding: set } });
  });
});

describe('who may change notification settings', () => {
  it("refuses another tenant's admin like an unknown tenant, and refuses the tenant's own agents", async () => {
    const before = await stored();
    const skylineAdmin = await emulatorIdToken('admin@skyline.example', 'skyline');
    expect(codes(await save({ mailFromAddress: 'phish@evil.example' }, skylineAdmin, tenant.id))).toEqual(['NOT_FOUND']);

    const agent = await tenant.loginAs(Role.AGENT, `agent@${tenant.slug}.example`);
    expect(codes(await save({ mailFromName: 'Agent Smith', smsSenderId: 'AgentSmith' }, agent))).toEqual(['FORBIDDEN']);
    expect(await stored()).toEqual(before);

    // The platform operator, naming the tenant, may.
    const r = await save({ timeZone: 'America/Phoenix' }, ops, tenant.id);
    expect(r.data!.updateBranding).toMatchObject({ ok: true, branding: { timeZone: 'America/Phoenix' } });
  });
});

describe("a customer's notifications use the WISP's settings", () => {
  it('come from its sender, in its language, with times in its zone', async () => {
    const wisp = await createTestTenant(url, ops, 'notifymail');
    const token = await wisp.adminToken();
    // Kolkata is UTC+5:30 all year, so a time shown in UTC (or any whole-hour zone) cannot pass.
    const set = await save({ timeZone: 'Asia/Kolkata', defaultLanguage: 'es', mailFromName: 'Monsoon Net Avisos', mailFromAddress: 'avisos@monsoon.example' }, token);
    expect(set.data!.updateBranding.ok).toBe(true);

    const customer = await createCustomer(token, newCustomer('MNS'));
    // The customer subgraph learns the settings from the published branding.
    await eventually(async () => (await gql(url, `query($id: ID!) { customer(id: $id) { notificationPreferences { effectiveTimeZone } } }`, { id: customer.id }, { token })).data?.customer.notificationPreferences.effectiveTimeZone === 'Asia/Kolkata');

    const open = await gql(url, `mutation($input: OpenTicketInput!) { openTicket(input: $input) { id number } }`, { input: { title: 'Sin señal', description: 'Desde el mediodía', category: 'NO_SERVICE', clientMutationId: randomUUID(), customerId: customer.id } }, { token });
    expect(open.errors).toBeUndefined();
    const { id, number } = open.data!.openTicket as { id: string; number: string };

    type Mail = { kind: string; from: string | null; subject: string; text: string };
    const mail = (kind: string) =>
      eventually(async () => ((await gql(url, `query($to: String) { outboxEmails(to: $to, first: 100) { kind from subject text } }`, { to: customer.email }, { token })).data?.outboxEmails as Mail[] | undefined)?.find((m) => m.kind === kind));

    const received = await mail('notification-ticket-received');
    expect(received.from).toBe('"Monsoon Net Avisos" <avisos@monsoon.example>');
    expect(received.subject).toBe(`Recibimos su ticket ${number}`);

    const start = new Date(Date.now() + 3 * 24 * 3600_000);
    start.setUTCHours(15, 0, 0, 0);
    const end = new Date(start.getTime() + 2 * 3600_000);
    const visit = await gql(url, `mutation($id: ID!, $s: String, $e: String) { scheduleVisit(id: $id, windowStart: $s, windowEnd: $e) { id } }`, { id, s: start.toISOString(), e: end.toISOString() }, { token });
    expect(visit.errors).toBeUndefined();
    const scheduled = await mail('notification-visit-scheduled');
    expect(scheduled.from).toBe('"Monsoon Net Avisos" <avisos@monsoon.example>');
    // 15:00–17:00 UTC is 20:30–22:30 in Kolkata.
    expect(scheduled.text).toContain('20:30');
    expect(scheduled.text).toContain('22:30');
    expect(scheduled.text).not.toContain('15:00');
  });
});
