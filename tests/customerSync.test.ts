/** A billing system keeps the customer records in step with an API key: bulk upserts and equipment telemetry. */
import { randomUUID } from 'node:crypto';
import { openEventLog } from '@wisp/events';
import { codes, gql } from '@wisp/shared/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { admin } from './portalAccounts.ts';

const url = inject('gatewayUrl');
const mongo = { uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') };
let billing: string, readOnly: string;

const UPSERT = `mutation($rows: [CustomerUpsertInput!]!) { upsertCustomers(rows: $rows) { index ok created changed errors { field message } customer { id externalId accountNumber name serviceStatus plan { name } equipment { serial online lastSeenAt signalDbm } } } }`;
const TELEMETRY = `mutation($readings: [EquipmentReadingInput!]!) { reportEquipmentTelemetry(readings: $readings) { index ok message } }`;

const run = () => randomUUID().slice(0, 8);
function row(tag: string, n: number, extra: Record<string, unknown> = {}) {
  return { externalId: `bill-${tag}-${n}`, accountNumber: `SKY-S${tag}${n}`, name: `Synced ${tag} ${n}`, serviceStatus: 'ACTIVE', plan: { name: 'Valley 100', downMbps: 100, upMbps: 20, priceCents: 6900 }, equipment: [{ model: 'LiteBeam', serial: `LB-${tag}-${n}` }], ...extra };
}

async function eventsOf(entityId: string) {
  const log = await openEventLog(mongo);
  try {
    const out = [];
    for (let after = 0; ; ) {
      const { events } = await log.readAfter(after, 2000);
      if (!events.length) return out;
      out.push(...events.filter((e) => e.entityId === entityId));
      after = events.at(-1)!.seq;
    }
  } finally {
    await log.close();
  }
}

beforeAll(async () => {
  const token = await admin();
  const key = async (scopes: string[]) => (await gql(url, `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`, { input: { name: `Billing ${run()}`, scopes } }, { token })).data!.createApiKey.secret as string;
  [billing, readOnly] = await Promise.all([key(['customers:read', 'customers:write']), key(['customers:read'])]);
});

describe('upsertCustomers', () => {
  it('creates, then changes only what changed, and a repeat changes nothing', async () => {
    const tag = run();
    const rows = [row(tag, 1), row(tag, 2), { ...row(tag, 3), externalId: undefined }];
    const first = (await gql(url, UPSERT, { rows }, { token: billing })).data!.upsertCustomers;
    expect(first.map((r: any) => [r.index, r.ok, r.created])).toEqual([[0, true, true], [1, true, true], [2, true, true]]);
    expect(first[0].customer.externalId).toBe(`bill-${tag}-1`);
    const again = (await gql(url, UPSERT, { rows }, { token: billing })).data!.upsertCustomers;
    expect(again.map((r: any) => [r.ok, r.created, r.changed])).toEqual([[true, false, false], [true, false, false], [true, false, false]]);
    expect(again.map((r: any) => r.customer.id)).toEqual(first.map((r: any) => r.customer.id));
    // Found by external id even when the account number changes; by account number without one.
    const moved = (await gql(url, UPSERT, { rows: [{ ...rows[0], accountNumber: `SKY-M${tag}`, serviceStatus: 'SUSPENDED' }, { ...rows[2], name: 'Renamed by billing' }] }, { token: billing })).data!.upsertCustomers;
    expect(moved.map((r: any) => [r.ok, r.created, r.changed])).toEqual([[true, false, true], [true, false, true]]);
    expect(moved[0].customer).toMatchObject({ id: first[0].customer.id, accountNumber: `SKY-M${tag}`, serviceStatus: 'SUSPENDED' });
    expect(moved[1].customer).toMatchObject({ id: first[2].customer.id, name: 'Renamed by billing' });
    const types = (await eventsOf(first[0].customer.id)).map((e) => e.type);
    expect(types).toEqual(['customer.created', 'customer.updated', 'customer.serviceStatusChanged']);
  });

  it('reports bad rows one by one, refuses over 500 rows, and needs customers:write', async () => {
    const tag = run();
    const r = (await gql(url, UPSERT, { rows: [row(tag, 1, { email: 'not-an-email' }), row(tag, 2), row(tag, 3, { externalId: '' })] }, { token: billing })).data!.upsertCustomers;
    expect(r.map((x: any) => x.ok)).toEqual([false, true, false]);
    expect(r[0].errors[0].field).toBe('email');
    expect(r[2].errors[0].field).toBe('externalId');
    expect(codes(await gql(url, UPSERT, { rows: Array.from({ length: 501 }, (_, i) => row(tag, 100 + i)) }, { token: billing }))).toEqual(['BAD_USER_INPUT']);
    const refused = await gql(url, UPSERT, { rows: [row(tag, 9)] }, { token: readOnly });
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.errors![0]!.message).toContain('customers:write');
  });

  it('makes one customer when two syncs of a new one race', async () => {
    const tag = run();
    const results = await Promise.all(Array.from({ length: 6 }, () => gql(url, UPSERT, { rows: [row(tag, 1)] }, { token: billing })));
    const ids = new Set(results.map((r) => r.data!.upsertCustomers[0].customer?.id));
    expect(results.every((r) => r.data!.upsertCustomers[0].ok)).toBe(true);
    expect(ids.size).toBe(1);
    expect(results.filter((r) => r.data!.upsertCustomers[0].created)).toHaveLength(1);
  });

  it('syncs 1,000 customers in batches of 500', async () => {
    const tag = run();
    const started = Date.now();
    let created = 0;
    for (let b = 0; b < 2; b++) {
      const r = await gql(url, UPSERT, { rows: Array.from({ length: 500 }, (_, i) => row(tag, b * 500 + i)) }, { token: billing });
      expect(r.errors).toBeUndefined();
      created += r.data!.upsertCustomers.filter((x: any) => x.ok && x.created).length;
    }
    expect(created).toBe(1000);
    console.log(`1,000 customers synced in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 600_000);
});

describe('reportEquipmentTelemetry', () => {
  it('records readings, and publishes only a change of online state', async () => {
    const tag = run();
    const [made] = (await gql(url, UPSERT, { rows: [row(tag, 1)] }, { token: billing })).data!.upsertCustomers;
    const id = made.customer.id as string;
    const reading = { externalId: `bill-${tag}-1`, serial: `LB-${tag}-1`, lastSeenAt: new Date().toISOString(), signalDbm: -61, online: true };
    expect((await gql(url, TELEMETRY, { readings: [reading, { ...reading, signalDbm: -63 }, { accountNumber: 'nope', serial: 'x', online: true }] }, { token: billing })).data!.reportEquipmentTelemetry.map((r: any) => r.ok)).toEqual([true, true, false]);
    const before = (await eventsOf(id)).length;
    await gql(url, TELEMETRY, { readings: [{ ...reading, signalDbm: -70 }] }, { token: billing });
    expect((await eventsOf(id)).length).toBe(before);
    await gql(url, TELEMETRY, { readings: [{ customerId: id, serial: `LB-${tag}-1`, online: false }] }, { token: billing });
    const after = await eventsOf(id);
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)!.payload).toMatchObject({ fields: ['equipment.online'] });
    const device = (await gql(url, `query($id: ID!) { customer(id: $id) { equipment { online signalDbm lastSeenAt } } }`, { id }, { token: billing })).data!.customer.equipment[0];
    expect(device).toMatchObject({ online: false, signalDbm: -70, lastSeenAt: expect.any(String) });
    // A later sync of the record keeps what monitoring reported.
    await gql(url, UPSERT, { rows: [row(tag, 1, { name: 'Renamed' })] }, { token: billing });
    expect((await gql(url, `query($id: ID!) { customer(id: $id) { equipment { online signalDbm } } }`, { id }, { token: billing })).data!.customer.equipment[0]).toMatchObject({ online: false, signalDbm: -70 });
  });
});
