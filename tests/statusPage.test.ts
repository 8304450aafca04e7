/**
 * A WISP's public service status: anyone may read it for the portal's host, without signing in.
 * It shows outages and planned maintenance with their public updates, never who is affected or
 * how many, and only the host's own WISP.
 */
import { emulatorIdToken } from '@wisp/shared/testing';
import { describe, expect, it } from 'vitest';
import { agent, api, createCustomer, eventually, gatewayUrl, newCustomer, OUTBOX, unique } from './portalAccounts.ts';
import { createTestTenant } from './tenantFixtures.ts';

const STATUS = `query ($host: String!) {
  statusPage(host: $host) { timeZone notices { id kind status title site startedAt eta window { start end } updates { body at } resolvedAt } }
}`;
const OUTAGE = `mutation ($input: CreateOutageInput!) { createOutage(input: $input) { id status visitWindow { start end } } }`;
type Notice = { id: string; kind: string; status: string; title: string; site: string | null; eta: string | null; window: { start: string; end: string } | null; updates: { body: string; at: string }[]; resolvedAt: string | null };

const statusOf = async (host: string) => {
  const r = await api(STATUS, { host });
  expect(r.errors).toBeUndefined();
  return r.data!.statusPage as { timeZone: string | null; notices: Notice[] } | null;
};
const noticeOf = async (host: string, id: string) => (await statusOf(host))!.notices.find((n) => n.id === id);

async function outageAtNewSite(token: string, extra: Record<string, unknown> = {}) {
  const site = `Tower ${unique()}`;
  const customer = await createCustomer(token, { ...newCustomer(), site });
  const r = await api(OUTAGE, { input: { title: `Sector down ${unique()}`, description: 'A radio on the tower failed.', site, clientMutationId: unique(), ...extra } }, token);
  expect(r.errors).toBeUndefined();
  return { id: r.data!.createOutage.id as string, site, customer, made: r.data!.createOutage };
}

describe('public service status', () => {
  it('shows an outage to anyone on the WISP’s host, with its public updates, then as resolved', async () => {
    const staff = await agent();
    const { id, site } = await outageAtNewSite(staff, { eta: new Date(Date.now() + 3 * 3600_000).toISOString() });

    const first = await noticeOf('skyline.localhost', id);
    expect(first).toMatchObject({ kind: 'OUTAGE', status: 'INVESTIGATING', site, window: null, updates: [], resolvedAt: null });
    expect(first!.eta).toEqual(expect.any(String));
    // The custom domain answers the same.
    expect(await noticeOf('portal.skyline.example', id)).toMatchObject({ id });

    const update = await api(`mutation ($id: ID!, $body: String!, $k: String!) { postOutageUpdate(id: $id, body: $body, clientMutationId: $k) { id } }`, { id, body: 'A crew is on the way to the tower.', k: unique() }, staff);
    expect(update.errors).toBeUndefined();
    await api(`mutation ($id: ID!) { changeWorkOrderStatus(id: $id, status: IN_PROGRESS) { status } }`, { id }, staff);
    expect(await noticeOf('skyline.localhost', id)).toMatchObject({ status: 'IDENTIFIED', updates: [{ body: 'A crew is on the way to the tower.' }] });

    const resolved = await api(`mutation ($id: ID!) { changeWorkOrderStatus(id: $id, status: RESOLVED) { status } }`, { id }, staff);
    expect(resolved.errors).toBeUndefined();
    const done = await noticeOf('skyline.localhost', id);
    expect(done).toMatchObject({ status: 'RESOLVED', resolvedAt: expect.any(String) });
  });

  it('never shows another WISP’s outages, a cancelled one, or anything for an unknown or suspended host', async () => {
    const staff = await agent();
    const { id } = await outageAtNewSite(staff);
    expect(await noticeOf('prairie.localhost', id)).toBeUndefined();
    expect(await noticeOf('my.prairieair.example', id)).toBeUndefined();

    const cancelled = await outageAtNewSite(staff);
    await api(`mutation ($id: ID!) { changeWorkOrderStatus(id: $id, status: CANCELLED) { status } }`, { id: cancelled.id }, staff);
    expect(await noticeOf('skyline.localhost', cancelled.id)).toBeUndefined();

    expect(await statusOf('nobody.localhost')).toBeNull();
    expect(await statusOf('portal.unknown.example')).toBeNull();

    const ops = await emulatorIdToken('ops@platform.example');
    const t = await createTestTenant(gatewayUrl(), ops, 'status');
    expect(await statusOf(`${t.slug}.localhost`)).toEqual({ timeZone: null, notices: [] });
    await api(`mutation ($id: ID!) { suspendTenant(id: $id) { status } }`, { id: t.id }, ops);
    expect(await statusOf(`${t.slug}.localhost`)).toBeNull();
  });

  it('names no customer and counts none, and offers no way to reach another tenant by id', async () => {
    const staff = await agent();
    const { id, customer } = await outageAtNewSite(staff);
    const raw = JSON.stringify(await statusOf('skyline.localhost'));
    expect(raw).toContain(id);
    expect(raw).not.toContain(customer.id);
    expect(raw).not.toContain(customer.name);
    expect(raw).not.toContain('Skyline Wireless Support'); // staff names of updates stay out

    for (const field of ['affectedCount', 'affectedCustomers { id }', 'customer { id }', 'description']) {
      const r = await api(`query { statusPage(host: "skyline.localhost") { notices { ${field} } } }`);
      expect(r.errors?.[0]?.extensions?.code, field).toBe('GRAPHQL_VALIDATION_FAILED');
    }
    // The tenant key the graph joins on is not a field callers may read or pass.
    const key = await api(`query { statusPage(host: "skyline.localhost") { tenantId } }`);
    expect(key.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const entities = await api(`query { _entities(representations: [{ __typename: "StatusPage", tenantId: "000000000000000000000000" }]) { __typename } }`);
    expect(entities.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('lists planned maintenance with its window, and tells the customers served there in advance', async () => {
    const staff = await agent();
    const start = new Date(Date.now() + 2 * 24 * 3600_000);
    start.setUTCHours(7, 0, 0, 0);
    const end = new Date(start.getTime() + 2 * 3600_000);
    const { id, customer, made } = await outageAtNewSite(staff, { plannedStart: start.toISOString(), plannedEnd: end.toISOString() });
    expect(made).toMatchObject({ status: 'SCHEDULED', visitWindow: { start: start.toISOString(), end: end.toISOString() } });
    expect(await noticeOf('skyline.localhost', id)).toMatchObject({ kind: 'PLANNED_MAINTENANCE', status: 'SCHEDULED', window: { start: start.toISOString(), end: end.toISOString() } });

    const mail = await eventually(async () => {
      const r = await api(OUTBOX, { to: customer.email }, staff);
      return (r.data?.outboxEmails as { kind: string; subject: string; text: string }[]).find((m) => m.kind === 'notification-maintenance-planned');
    });
    expect(mail.subject).toMatch(/^Planned maintenance \w+day, \w+ \d+/);
    expect(mail.text).toContain('skyline.localhost');
    expect(mail.text).toContain('/status');
    expect(mail.text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it('refuses planned maintenance in the past, with one end only, or ending before it starts', async () => {
    const staff = await agent();
    const site = `Tower ${unique()}`;
    await createCustomer(staff, { ...newCustomer(), site });
    const soon = Date.now() + 3600_000;
    const cases: [Record<string, unknown>, string][] = [
      [{ plannedStart: new Date(Date.now() - 3600_000).toISOString(), plannedEnd: new Date(soon).toISOString() }, 'plannedStart'],
      [{ plannedStart: new Date(soon).toISOString() }, 'plannedEnd'],
      [{ plannedStart: new Date(soon).toISOString(), plannedEnd: new Date(soon - 60_000).toISOString() }, 'plannedEnd'],
    ];
    for (const [extra, field] of cases) {
      const r = await api(OUTAGE, { input: { title: 'Planned work', description: 'Upgrading radios.', site, clientMutationId: unique(), ...extra } }, staff);
      expect(r.errors?.[0]?.extensions?.code, JSON.stringify(extra)).toBe('BAD_USER_INPUT');
      expect(JSON.stringify(r.errors?.[0]?.extensions), JSON.stringify(extra)).toContain(field);
    }
  });
});
