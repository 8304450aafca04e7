/**
 * No lock outlives a crash. Each multi-step write is cut after its first step, as a process killed
 * there would leave it (the first step's write made directly, nothing after it), and the entity
 * must stay workable: the same request retried, or the next one, goes through.
 */
import { randomUUID } from 'node:crypto';
import { openEventLog } from '@wisp/events';
import { connectMongo } from '@wisp/shared';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import { Types, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newCustomer, unique } from './portalAccounts.ts';
import { createTestTenant, uniqueSlug } from './tenantFixtures.ts';
import { tenantId } from './demo.ts';

const url = inject('gatewayUrl');
const base = url.replace(/\/graphql$/, '');
const mongo = { uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') };
const conns: Record<string, Connection> = {};
const db = (service: string) => conns[service]!.db!;
const aMinuteAgo = () => new Date(Date.now() - 60_000);
let ops: string, agent: string, alice: string;

beforeAll(async () => {
  for (const service of ['tenant', 'customer', 'messaging']) conns[service] = await connectMongo(service, mongo);
  [ops, agent, alice] = await Promise.all([emulatorIdToken('ops@platform.example'), emulatorIdToken('agent@skyline.example', 'skyline'), emulatorIdToken('alice@skyline.example', 'skyline')]);
});
afterAll(async () => {
  await Promise.all(Object.values(conns).map((c) => c.close()));
});

describe('a write cut short after its first step', () => {
  it('createCustomer: an id claimed by a request that died is taken over by its retry', async () => {
    const cmid = randomUUID();
    await db('customer').collection<{ _id: string; resultId: string; createdAt: Date; updatedAt: Date }>('mutation_receipts').insertOne({ _id: `${tenantId('skyline')}:createCustomer:${cmid}`, resultId: new Types.ObjectId().toHexString(), createdAt: aMinuteAgo(), updatedAt: aMinuteAgo() });
    const CREATE = `mutation($input: CreateCustomerInput!, $cmid: String) { createCustomer(input: $input, clientMutationId: $cmid) { ok customer { id } } }`;
    const input = newCustomer('SKY', null);
    const first = await gql(url, CREATE, { input, cmid }, { token: agent });
    expect(first.errors).toBeUndefined();
    expect(first.data!.createCustomer.ok).toBe(true);
    // And the retry after that returns the same customer, once.
    const again = await gql(url, CREATE, { input, cmid }, { token: agent });
    expect(again.data!.createCustomer.customer.id).toBe(first.data!.createCustomer.customer.id);
  });

  it('sendMessage: a file held by a send that died is attached by its retry', async () => {
    const opened = await gql(url, `mutation($input: OpenTicketInput!) { openTicket(input: $input) { id } }`, { input: { title: 'Photo of the dish', description: 'See the file.', category: 'EQUIPMENT', clientMutationId: randomUUID() } }, { token: alice });
    const ticket = opened.data!.openTicket.id as string;
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(`png-${unique()}`)]);
    const uploaded = await fetch(`${base}/attachments?workOrderId=${ticket}&filename=dish.png`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${alice}` }, body: png });
    expect(uploaded.status).toBe(201);
    const file = ((await uploaded.json()) as { id: string }).id;
    const cmid = randomUUID();
    const aliceUid = (await gql(url, `{ viewer { uid } }`, {}, { token: alice })).data?.viewer?.uid;
    // The dead send took the file and wrote no message.
    await db('messaging').collection('attachmentlinks').insertOne({ _id: new Types.ObjectId(file), messageId: new Types.ObjectId(), sendKey: `${tenantId('skyline')}:${aliceUid}:${cmid}`, at: aMinuteAgo() });
    const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id attachments { id } } }`;
    const sent = await gql(url, SEND, { input: { workOrderId: ticket, body: 'Here it is.', attachmentIds: [file], clientMutationId: cmid } }, { token: alice });
    expect(sent.errors, JSON.stringify(sent.errors)).toBeUndefined();
    expect(sent.data!.sendMessage.attachments.map((a: { id: string }) => a.id)).toEqual([file]);
  });

  it('createTenant: a tenant left without its login pool is finished by the retry at once, and announced', async () => {
    const slug = uniqueSlug('crash');
    const cmid = `c-${slug}`;
    const _id = new Types.ObjectId();
    const branding = { companyName: 'Half Made', displayName: 'Half Made', logoAlt: 'Half Made', colors: { primary: '#1d4ed8', secondary: '#0f172a', accent: '#f59e0b', background: '#ffffff', text: '#0f172a' }, faq: [] };
    await db('tenant').collection('tenants').insertOne({ _id, slug, name: 'Half Made', status: 'ACTIVE', domains: [], branding, brandingVersion: 0, createdByMutation: cmid, createdAt: aMinuteAgo(), updatedAt: aMinuteAgo() });
    const started = Date.now();
    const r = await gql(url, `mutation($input: CreateTenantInput!) { createTenant(input: $input) { id slug status } }`, { input: { slug, name: 'Half Made', clientMutationId: cmid } }, { token: ops });
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect(r.data!.createTenant).toMatchObject({ id: String(_id), slug, status: 'ACTIVE' });
    expect(Date.now() - started).toBeLessThan(8_000);
    const tenant = await db('tenant').collection('tenants').findOne({ _id });
    expect(tenant?.firebaseTenantId).toEqual(expect.any(String));
    const log = await openEventLog(mongo);
    try {
      const { events } = await log.readAfter(0, 100_000);
      expect(events.filter((e) => e.entityId === String(_id)).map((e) => e.type)).toEqual(['tenant.created']);
    } finally {
      await log.close();
    }
  });

  it('updateBranding: a version claimed by a save that died is reclaimed by the next save', async () => {
    const t = await createTestTenant(url, ops, 'orph');
    const admin = await t.adminToken();
    // The dead save claimed version 1 and never moved the tenant to it.
    await db('tenant').collection('brandingversions').insertOne({ tenantId: new Types.ObjectId(t.id), version: 1, action: 'UPDATE', actorUid: 'gone', actorRole: 'TENANT_ADMIN', at: aMinuteAgo(), changes: [], branding: {} });
    const UPDATE = `mutation($input: BrandingInput!) { updateBranding(input: $input) { ok version branding { displayName } } }`;
    const r = await gql(url, UPDATE, { input: { displayName: 'After The Crash' } }, { token: admin });
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect(r.data!.updateBranding).toMatchObject({ ok: true, version: 1, branding: { displayName: 'After The Crash' } });
  });
});
