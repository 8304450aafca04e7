/**
 * Webhooks: a tenant's admins (or its keys with webhooks:manage) register endpoints; the tenant
 * subgraph fans every event of the tenant out to them and POSTs it signed per Standard Webhooks,
 * at least once, in order per entity, retrying with backoff, and disables an endpoint that keeps
 * failing (its admins are mailed). Receivers here are real HTTP servers that verify each delivery
 * with the reference `standardwebhooks` package.
 */
import { randomUUID } from 'node:crypto';
import { connectMongo, createLogger, openOutbox } from '@wisp/shared';
import { codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedDemoWebhooks } from '../scripts/seed.ts';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../scripts/webhookReceiver.ts';
import { createRelay, openEventLog } from '@wisp/events';
import { createModels as tenantModels } from '@wisp/subgraph-tenant/models';
import { checkWebhookUrl, webhookSettingsFromEnv } from '@wisp/subgraph-tenant/webhooks';
import { startWebhookEngine } from '../subgraphs/tenant/src/webhooks/webhookDelivery.ts';
import { tenantId } from './demo.ts';
import { until } from './live.ts';

const url = inject('gatewayUrl');
const mongo = { uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') };
let admin: string, agent: string, prairieAdmin: string, alice: string;
let receiver: WebhookReceiver;
/** Per path: how many more deliveries to refuse with 500 (or `Infinity`). */
const failing = new Map<string, number>();

const ENDPOINT_FIELDS = `id url description eventTypes includeInternal enabled disabledReason createdAt updatedAt consecutiveFailures`;
const CREATE = `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { ${ENDPOINT_FIELDS} } } }`;
const LIST = `{ webhookEndpoints { ${ENDPOINT_FIELDS} } }`;
const DELIVERIES = `query($id: ID!, $first: Int) { webhookDeliveries(endpointId: $id, first: $first) { id endpointId eventId eventType status attempts lastStatusCode lastLatencyMs lastError responseExcerpt nextAttemptAt createdAt deliveredAt } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(id: $id, input: $input) { ${ENDPOINT_FIELDS} } }`;

interface Endpoint {
  id: string;
  url: string;
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
}

/** An endpoint at a fresh path of the receiver, whose deliveries verify with its secret. */
async function newEndpoint(eventTypes: string[], extra: Record<string, unknown> = {}, token = admin): Promise<{ endpoint: Endpoint; secret: string; path: string }> {
  const path = `/${randomUUID()}`;
  const r = await gql(url, CREATE, { input: { url: `${receiver.url}${path}`, eventTypes, description: 'test receiver', clientMutationId: randomUUID(), ...extra } }, { token });
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  const created = r.data!.createWebhookEndpoint as { secret: string; endpoint: Endpoint };
  receiver.secrets.set(path, [created.secret]);
  return { ...created, path };
}

const at = (path: string) => receiver.all.filter((d) => d.path === path);
const verifiedAt = (path: string) => at(path).filter((d) => d.verified && d.status < 300);

async function openTicket(title: string): Promise<string> {
  const r = await gql(url, `mutation($input: OpenTicketInput!) { openTicket(input: $input) { id } }`, { input: { title, description: 'Webhook test ticket', category: 'SLOW_SPEED', clientMutationId: randomUUID() } }, { token: alice });
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.openTicket.id;
}

async function changeStatus(id: string, status: string) {
  const r = await gql(url, `mutation($id: ID!, $status: WorkOrderStatus!) { changeWorkOrderStatus(id: $id, status: $status) { status } }`, { id, status }, { token: agent });
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
}

async function deliveries(endpointId: string, token = admin) {
  const r = await gql(url, DELIVERIES, { id: endpointId, first: 200 }, { token });
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.webhookDeliveries as { id: string; eventId: string; eventType: string; status: string; attempts: number; lastStatusCode: number | null; lastError: string | null; responseExcerpt: string | null; createdAt: string }[];
}

/** Waits for a condition that needs the database or the graph. */
async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  [admin, agent, prairieAdmin, alice] = await Promise.all([
    emulatorIdToken('admin@skyline.example', 'skyline'),
    emulatorIdToken('agent@skyline.example', 'skyline'),
    emulatorIdToken('admin@prairie.example', 'prairie'),
    emulatorIdToken('alice@skyline.example', 'skyline'),
  ]);
  receiver = await startWebhookReceiver({
    keep: 1000,
    answer: (d) => {
      const left = failing.get(d.path) ?? 0;
      if (left <= 0) return 204;
      failing.set(d.path, left - 1);
      return 500;
    },
  });
});
afterAll(async () => {
  // Endpoints of this file's receivers would only keep failing once they are gone.
  for (const token of [admin, prairieAdmin]) {
    const mine = ((await gql(url, LIST, {}, { token })).data?.webhookEndpoints ?? []) as Endpoint[];
    for (const e of mine) await gql(url, `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: e.id }, { token });
  }
  await receiver?.stop();
});

describe('webhook endpoints', () => {
  it('are managed by tenant admins and keys with webhooks:manage; other tenants see none of them', async () => {
    expect(codes(await gql(url, CREATE, { input: { url: `${receiver.url}/x`, eventTypes: ['ticket.created'] } }, { token: agent }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, CREATE, { input: { url: `${receiver.url}/x`, eventTypes: ['ticket.created'] } }, { token: alice }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, CREATE, { input: { url: `${receiver.url}/x`, eventTypes: ['no.such'] } }, { token: admin }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, CREATE, { input: { url: `${receiver.url}/x`, eventTypes: [] } }, { token: admin }))).toEqual(['BAD_USER_INPUT']);
    const types = (await gql(url, `{ webhookEventTypes }`, {}, { token: admin })).data!.webhookEventTypes as string[];
    expect(types).toEqual(expect.arrayContaining(['ticket.created', 'ticket.statusChanged', 'message.created', 'customer.updated', 'webhook.endpointDisabled']));
    expect(types).not.toContain('tenant.created');

    const { endpoint, secret } = await newEndpoint(['ticket.created', 'ticket.statusChanged']);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint).toMatchObject({ enabled: true, includeInternal: false, consecutiveFailures: 0, disabledReason: null });
    const listed = (await gql(url, LIST, {}, { token: admin })).data!.webhookEndpoints as Endpoint[];
    expect(listed.map((e) => e.id)).toContain(endpoint.id);
    expect(JSON.stringify(listed)).not.toContain(secret.slice(6));
    // The secret is stored (it signs) but never returned again.
    const conn = await connectMongo('tenant', mongo);
    try {
      const stored = await conn.db!.collection('webhook_endpoints').findOne({ _id: (await import('mongoose')).Types.ObjectId.createFromHexString(endpoint.id) });
      expect(JSON.stringify(stored)).toContain(secret);
    } finally {
      await conn.close();
    }

    // Another tenant's ids answer like unknown ones.
    expect((await gql(url, LIST, {}, { token: prairieAdmin })).data!.webhookEndpoints.map((e: Endpoint) => e.id)).not.toContain(endpoint.id);
    for (const [q, v] of [
      [UPDATE, { id: endpoint.id, input: { description: 'mine now' } }],
      [DELIVERIES, { id: endpoint.id }],
      [`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpoint.id }],
      [`mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, { id: endpoint.id }],
      [`mutation($id: ID!) { sendTestWebhook(endpointId: $id) { id } }`, { id: endpoint.id }],
      [`mutation($id: ID!) { replayWebhookDeliveries(endpointId: $id, since: "2000-01-01T00:00:00Z") }`, { id: endpoint.id }],
    ] as const) {
      expect(codes(await gql(url, q, v, { token: prairieAdmin })), q).toEqual(['NOT_FOUND']);
    }

    const updated = (await gql(url, UPDATE, { id: endpoint.id, input: { description: 'Billing sync', eventTypes: ['ticket.created'] } }, { token: admin })).data!.updateWebhookEndpoint;
    expect(updated).toMatchObject({ description: 'Billing sync', eventTypes: ['ticket.created'] });
    expect((await gql(url, `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpoint.id }, { token: admin })).data!.deleteWebhookEndpoint).toBe(true);
    expect(codes(await gql(url, DELIVERIES, { id: endpoint.id }, { token: admin }))).toEqual(['NOT_FOUND']);
  });

  it('are open to API keys with webhooks:manage only, and internal data needs notes:read', async () => {
    const key = async (scopes: string[]) =>
      (await gql(url, `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`, { input: { name: `hooks ${randomUUID().slice(0, 6)}`, scopes, clientMutationId: randomUUID() } }, { token: admin })).data!.createApiKey.secret as string;
    const [manage, reader, manageNotes] = await Promise.all([key(['webhooks:manage']), key(['tickets:read']), key(['webhooks:manage', 'notes:read'])]);
    const refused = await gql(url, LIST, {}, { token: reader });
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.errors![0]!.extensions?.scope).toBe('webhooks:manage');
    expect((await gql(url, LIST, {}, { token: manage })).errors).toBeUndefined();
    const { endpoint } = await newEndpoint(['ticket.created'], {}, manage);
    expect((await gql(url, LIST, {}, { token: admin })).data!.webhookEndpoints.map((e: Endpoint) => e.id)).toContain(endpoint.id);
    expect(codes(await gql(url, CREATE, { input: { url: `${receiver.url}/n`, eventTypes: ['message.created'], includeInternal: true } }, { token: manage }))).toEqual(['FORBIDDEN']);
    expect((await gql(url, CREATE, { input: { url: `${receiver.url}/n`, eventTypes: ['message.created'], includeInternal: true } }, { token: manageNotes })).errors).toBeUndefined();
  });

  it('are created once per clientMutationId: a retry makes no second endpoint', async () => {
    const cmid = randomUUID();
    const input = { url: `${receiver.url}/retry-${cmid}`, eventTypes: ['ticket.created'], clientMutationId: cmid };
    expect((await gql(url, CREATE, { input }, { token: admin })).errors).toBeUndefined();
    const retry = await gql(url, CREATE, { input }, { token: admin });
    expect(codes(retry)).toEqual(['CONFLICT']);
    const listed = (await gql(url, LIST, {}, { token: admin })).data!.webhookEndpoints as Endpoint[];
    expect(listed.filter((e) => e.url === input.url)).toHaveLength(1);
  });

  it('refuse receivers on private, loopback, link-local and metadata addresses, naming the reason', async () => {
    const refusals: [string, string][] = [
      ['http://10.1.2.3/hook', 'PRIVATE'],
      ['https://192.168.1.10/hook', 'PRIVATE'],
      ['https://172.20.0.1/hook', 'PRIVATE'],
      ['http://169.254.169.254/latest/meta-data/', 'METADATA'],
      ['https://metadata.google.internal/computeMetadata/v1/', 'METADATA'],
      ['https://169.254.10.10/hook', 'LINK_LOCAL'],
      ['https://100.64.0.1/hook', 'CGNAT'],
      ['https://0.0.0.0/hook', 'UNSPECIFIED'],
      ['https://[fd12:3456::1]/hook', 'UNIQUE_LOCAL'],
      ['https://[fe80::1]/hook', 'LINK_LOCAL'],
      ['https://[::ffff:10.0.0.1]/hook', 'PRIVATE'],
      ['ftp://example.com/hook', 'SCHEME'],
      ['not a url', 'BAD_URL'],
    ];
    for (const [bad, reason] of refusals) {
      const r = await gql(url, CREATE, { input: { url: bad, eventTypes: ['ticket.created'] } }, { token: admin });
      expect(codes(r), bad).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0]!.extensions, bad).toMatchObject({ field: 'url', reason });
    }
    // Changing the URL is checked the same way.
    const { endpoint } = await newEndpoint(['ticket.created']);
    const moved = await gql(url, UPDATE, { id: endpoint.id, input: { url: 'http://10.0.0.7/' } }, { token: admin });
    expect(moved.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'PRIVATE' });

    // Checked again when sending: a stored URL that now points somewhere private is not called.
    const conn = await connectMongo('tenant', mongo);
    try {
      await conn.db!.collection('webhook_endpoints').updateOne({ _id: (await import('mongoose')).Types.ObjectId.createFromHexString(endpoint.id) }, { $set: { url: 'http://10.0.0.7/' } });
    } finally {
      await conn.close();
    }
    await gql(url, `mutation($id: ID!) { sendTestWebhook(endpointId: $id) { id } }`, { id: endpoint.id }, { token: admin });
    const refused = await eventually(() => deliveries(endpoint.id), (l) => l.some((d) => d.attempts > 0), 'the test delivery to be tried');
    expect(refused[0]).toMatchObject({ status: 'PENDING', lastStatusCode: null });
    expect(refused[0]!.lastError).toMatch(/^Refused to send: .*private network/);

    // Without WEBHOOKS_ALLOW_LOOPBACK (production): loopback, names resolving to it, and plain http are refused.
    const production = { allowLoopback: false };
    expect(await checkWebhookUrl('https://127.0.0.1/hook', production)).toMatchObject({ ok: false, reason: 'LOOPBACK' });
    expect(await checkWebhookUrl('https://[::1]:8443/hook', production)).toMatchObject({ ok: false, reason: 'LOOPBACK' });
    expect(await checkWebhookUrl('https://localhost/hook', production)).toMatchObject({ ok: false, reason: 'LOOPBACK' });
    expect(await checkWebhookUrl('https://[::ffff:127.0.0.1]/hook', production)).toMatchObject({ ok: false, reason: 'LOOPBACK' });
    expect(await checkWebhookUrl('http://93.184.215.14/hook', production)).toMatchObject({ ok: false, reason: 'HTTPS_REQUIRED' });
    // A name with one public and one private address is refused (every address must pass).
    const twoFaced = async () => [{ address: '93.184.215.14', family: 4 }, { address: '10.0.0.5', family: 4 }];
    expect(await checkWebhookUrl('https://rebind.example/hook', production, twoFaced)).toMatchObject({ ok: false, reason: 'PRIVATE' });
    expect(await checkWebhookUrl('https://93.184.215.14/hook', production)).toMatchObject({ ok: true });
    // With it (npm start and this test stack): loopback only; private networks stay refused.
    expect(await checkWebhookUrl('http://localhost:9/hook', { allowLoopback: true })).toMatchObject({ ok: true });
    expect(await checkWebhookUrl('http://10.0.0.1/hook', { allowLoopback: true })).toMatchObject({ ok: false, reason: 'PRIVATE' });
  });
});

describe('webhook deliveries', () => {
  it('deliver a ticket change end to end, signed per Standard Webhooks', async () => {
    const { endpoint, secret, path } = await newEndpoint(['ticket.created', 'ticket.statusChanged']);
    const ticket = await openTicket('Webhook end to end');
    await changeStatus(ticket, 'IN_PROGRESS');
    await until(() => verifiedAt(path).filter((d) => d.body.data.id === ticket).length >= 2, 'both ticket events to arrive', 30_000);
    const [created, changed] = verifiedAt(path).filter((d) => d.body.data.id === ticket);
    expect(created!.body).toMatchObject({ type: 'ticket.created', data: { id: ticket, entity: 'WorkOrder', workOrderId: ticket, status: 'OPEN', state: { status: 'OPEN' } } });
    expect(changed!.body).toMatchObject({ type: 'ticket.statusChanged', data: { id: ticket, from: 'OPEN', to: 'IN_PROGRESS' } });
    expect(new Date(changed!.body.timestamp).getTime()).toBeGreaterThan(Date.now() - 120_000);
    // Staff-only fields stay out of a plain endpoint's deliveries.
    expect(changed!.body.data).not.toHaveProperty('affectedCustomerIds');
    expect(changed!.body.data.state).not.toHaveProperty('assigneeUid');
    // The reference implementation verifies it; a wrong secret or a changed body does not.
    expect(new Webhook(secret).verify(changed!.raw, changed!.headers)).toEqual(changed!.body);
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(changed!.raw, changed!.headers)).toThrow();
    expect(() => new Webhook(secret).verify(changed!.raw.replace('IN_PROGRESS', 'RESOLVED'), changed!.headers)).toThrow();
    expect(changed!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(Math.abs(Number(changed!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(changed!.headers['content-type']).toBe('application/json');
    const list = await eventually(() => deliveries(endpoint.id), (l) => l.filter((d) => d.status === 'DELIVERED').length >= 2, 'the deliveries to be recorded');
    expect(list[0]).toMatchObject({ status: 'DELIVERED', attempts: 1, lastStatusCode: 204, lastError: null });
    expect(changed!.id).toBe(`msg_${list.find((d) => d.eventType === 'ticket.statusChanged')!.eventId}_${endpoint.id}`);
    // Another tenant's events never reach it.
    expect(verifiedAt(path).every((d) => !JSON.stringify(d.body).includes('prairie'))).toBe(true);
  });

  it('send internal notes only to endpoints that include internal data', async () => {
    // A ticket of its own: the demo tickets' conversations are what other tests read.
    const ticket = await openTicket('Webhook internal note');
    const plain = await newEndpoint(['message.created']);
    const internal = await newEndpoint(['message.created'], { includeInternal: true });
    const send = (internalNote: boolean) =>
      gql(url, `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }`, { input: { workOrderId: ticket, body: `${internalNote ? 'note' : 'reply'} ${randomUUID()}`, internal: internalNote, clientMutationId: randomUUID() } }, { token: agent });
    const note = (await send(true)).data!.sendMessage.id as string;
    const reply = (await send(false)).data!.sendMessage.id as string;
    await until(() => verifiedAt(internal.path).length >= 2 && verifiedAt(plain.path).length >= 1, 'the messages to arrive', 30_000);
    expect(verifiedAt(internal.path).map((d) => d.body.data.id)).toEqual(expect.arrayContaining([note, reply]));
    expect(verifiedAt(internal.path).find((d) => d.body.data.id === note)!.body.data).toMatchObject({ internal: true, workOrderId: ticket });
    // The reply came after the note: by the time it is in, the note would have been too.
    await eventually(() => deliveries(plain.endpoint.id), (l) => l.some((d) => d.status === 'DELIVERED'), 'the reply to be delivered');
    // (The ticket's own opening lines may be messages too; the note is never among them.)
    expect(verifiedAt(plain.path).map((d) => d.body.data.id)).toContain(reply);
    expect(verifiedAt(plain.path).map((d) => d.body.data.id)).not.toContain(note);
    expect(verifiedAt(plain.path).every((d) => d.body.data.internal !== true)).toBe(true);
    expect((await deliveries(plain.endpoint.id)).every((d) => d.eventType === 'message.created')).toBe(true);
  });

  it('retry a failing receiver with backoff and keep each entity\'s events in order', async () => {
    const { endpoint, path } = await newEndpoint(['ticket.created', 'ticket.statusChanged']);
    failing.set(path, 2);
    const ticket = await openTicket('Webhook retry order');
    for (const status of ['IN_PROGRESS', 'SCHEDULED', 'EN_ROUTE', 'ON_SITE']) await changeStatus(ticket, status);
    await until(() => verifiedAt(path).filter((d) => d.status < 300).length >= 5, 'all five events to be delivered', 60_000);
    const ok = verifiedAt(path);
    expect(ok.map((d) => d.body.type)).toEqual(['ticket.created', 'ticket.statusChanged', 'ticket.statusChanged', 'ticket.statusChanged', 'ticket.statusChanged']);
    expect(ok.slice(1).map((d) => d.body.data.to)).toEqual(['IN_PROGRESS', 'SCHEDULED', 'EN_ROUTE', 'ON_SITE']);
    // The failed attempts were the first event's: nothing later went out before it was in.
    const attempts = at(path);
    expect(attempts.slice(0, 3).map((d) => [d.body.type, d.status])).toEqual([
      ['ticket.created', 500],
      ['ticket.created', 500],
      ['ticket.created', 204],
    ]);
    // Every retry is the same message: same webhook-id, same body.
    expect(new Set(attempts.slice(0, 3).map((d) => d.id)).size).toBe(1);
    expect(new Set(attempts.slice(0, 3).map((d) => d.raw)).size).toBe(1);
    const list = await eventually(() => deliveries(endpoint.id), (l) => l.length === 5 && l.every((d) => d.status === 'DELIVERED'), 'the deliveries to be recorded');
    const first = list.find((d) => d.eventType === 'ticket.created')!;
    expect(first.attempts).toBe(3);
    const endpointNow = (await gql(url, LIST, {}, { token: admin })).data!.webhookEndpoints.find((e: Endpoint) => e.id === endpoint.id);
    expect(endpointNow).toMatchObject({ enabled: true, consecutiveFailures: 0 });
  });

  it('replay one delivery, and every delivery since a time, under the same webhook-id', async () => {
    const { endpoint, path } = await newEndpoint(['ticket.created', 'ticket.statusChanged']);
    const ticket = await openTicket('Webhook replay');
    await changeStatus(ticket, 'IN_PROGRESS');
    const done = await eventually(() => deliveries(endpoint.id), (l) => l.length === 2 && l.every((d) => d.status === 'DELIVERED'), 'two deliveries');
    const before = verifiedAt(path).length;
    const one = done.find((d) => d.eventType === 'ticket.created')!;
    const replayed = await gql(url, `mutation($id: ID!) { replayWebhookDelivery(id: $id) { id status attempts } }`, { id: one.id }, { token: admin });
    expect(replayed.data!.replayWebhookDelivery).toMatchObject({ id: one.id, status: 'PENDING', attempts: 0 });
    await until(() => verifiedAt(path).length === before + 1, 'the replay to arrive', 30_000);
    const again = verifiedAt(path).at(-1)!;
    expect(again.id).toBe(verifiedAt(path).find((d) => d.body.type === 'ticket.created')!.id);
    expect(again.body.type).toBe('ticket.created');
    await eventually(() => deliveries(endpoint.id), (l) => l.every((d) => d.status === 'DELIVERED'), 'the replay to be recorded');
    const since = new Date(Date.parse(done.at(-1)!.createdAt) - 1000).toISOString();
    const count = await gql(url, `mutation($id: ID!, $since: String!) { replayWebhookDeliveries(endpointId: $id, since: $since) }`, { id: endpoint.id, since }, { token: admin });
    expect(count.data!.replayWebhookDeliveries).toBe(2);
    await until(() => verifiedAt(path).length === before + 3, 'both replays to arrive', 30_000);
    expect(verifiedAt(path).slice(-2).map((d) => d.body.type)).toEqual(['ticket.created', 'ticket.statusChanged']);
    expect(codes(await gql(url, `mutation($id: ID!) { replayWebhookDelivery(id: $id) { id } }`, { id: one.id }, { token: prairieAdmin }))).toEqual(['NOT_FOUND']);
  });

  it('sign with both the old and the new secret while a rotation overlaps', async () => {
    const { endpoint, secret: old, path } = await newEndpoint(['ticket.created']);
    const rotated = (await gql(url, `mutation($id: ID!) { rotateWebhookSecret(id: $id, overlapHours: 1) { secret endpoint { id } } }`, { id: endpoint.id }, { token: admin })).data!.rotateWebhookSecret;
    expect(rotated.secret).not.toBe(old);
    // The receiver knows only the new secret from now on: a delivery must still verify with either.
    receiver.secrets.set(path, [rotated.secret]);
    const test = await gql(url, `mutation($id: ID!) { sendTestWebhook(endpointId: $id) { id eventType status } }`, { id: endpoint.id }, { token: admin });
    expect(test.data!.sendTestWebhook).toMatchObject({ eventType: 'webhook.test', status: 'PENDING' });
    await until(() => verifiedAt(path).length >= 1, 'the test delivery to arrive', 30_000);
    const d = verifiedAt(path).at(-1)!;
    expect(d.body.type).toBe('webhook.test');
    expect(d.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(old).verify(d.raw, d.headers)).not.toThrow();
    expect(() => new Webhook(rotated.secret).verify(d.raw, d.headers)).not.toThrow();
    // Ending the overlap now: only the newest secret signs.
    const now = (await gql(url, `mutation($id: ID!) { rotateWebhookSecret(id: $id, overlapHours: 0) { secret } }`, { id: endpoint.id }, { token: admin })).data!.rotateWebhookSecret.secret as string;
    receiver.secrets.set(path, [now]);
    await gql(url, `mutation($id: ID!) { sendTestWebhook(endpointId: $id) { id } }`, { id: endpoint.id }, { token: admin });
    await until(() => verifiedAt(path).length >= 2, 'the second test delivery to arrive', 30_000);
    const last = verifiedAt(path).at(-1)!;
    expect(last.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(() => new Webhook(rotated.secret).verify(last.raw, last.headers)).toThrow();
  });

  it('disable an endpoint that keeps failing, say why, and mail the tenant\'s admins', async () => {
    const { endpoint, path } = await newEndpoint(['ticket.created', 'ticket.statusChanged']);
    failing.set(path, Infinity);
    const ticket = await openTicket('Webhook sustained failure');
    const disabled = await eventually(
      async () => (await gql(url, LIST, {}, { token: admin })).data!.webhookEndpoints.find((e: Endpoint) => e.id === endpoint.id) as Endpoint,
      (e) => !e.enabled,
      'the endpoint to be disabled',
      60_000,
    );
    expect(disabled.disabledReason).toMatch(/failed for .* attempts in a row/);
    expect(disabled.consecutiveFailures).toBeGreaterThanOrEqual(6);
    const list = await deliveries(endpoint.id);
    expect(list[0]).toMatchObject({ status: 'PENDING', lastStatusCode: 500, responseExcerpt: 'failing on purpose' });
    expect(list[0]!.lastError).toContain('500');
    // The customer subgraph, which keeps the staff logins, mails the admins.
    const outbox = await openOutbox(mongo);
    try {
      const mails = await eventually(() => outbox.list({ tenantId: tenantId('skyline'), kind: 'webhook-endpoint-disabled', limit: 50 }), (l) => l.some((m) => m.text.includes(`${receiver.url}${path}`)), 'the admins\' email');
      const mine = mails.filter((m) => m.text.includes(`${receiver.url}${path}`));
      expect(mine.map((m) => m.to)).toContain('admin@skyline.example');
      expect(mine.map((m) => m.to)).not.toContain('agent@skyline.example');
    } finally {
      await outbox.close();
    }
    // While it is disabled, events still make deliveries, which wait (a receiver that was down loses nothing of the last day).
    await changeStatus(ticket, 'IN_PROGRESS');
    await eventually(() => deliveries(endpoint.id), (l) => l.length === 2, 'the second event\'s delivery to be made');
    // Fixed and enabled again: what waited is delivered, in order.
    failing.set(path, 0);
    const attemptsBefore = at(path).length;
    const enabled = (await gql(url, UPDATE, { id: endpoint.id, input: { enabled: true } }, { token: admin })).data!.updateWebhookEndpoint;
    expect(enabled).toMatchObject({ enabled: true, disabledReason: null, consecutiveFailures: 0 });
    await until(() => at(path).slice(attemptsBefore).filter((d: ReceivedWebhook) => d.status === 204 && d.body.data.id === ticket).length === 2, 'the waiting deliveries', 30_000);
    expect(at(path).slice(attemptsBefore).map((d) => d.body.type)).toEqual(['ticket.created', 'ticket.statusChanged']);
  });

  it('make no deliveries for an endpoint the tenant turned off', async () => {
    const off = await newEndpoint(['ticket.created']);
    const witness = await newEndpoint(['ticket.created']);
    const turnedOff = (await gql(url, UPDATE, { id: off.endpoint.id, input: { enabled: false } }, { token: admin })).data!.updateWebhookEndpoint;
    expect(turnedOff).toMatchObject({ enabled: false, disabledReason: 'Disabled by the tenant.' });
    const ticket = await openTicket('Webhook turned off');
    // Once the witness has it, the fan-out has passed the event for both.
    await until(() => verifiedAt(witness.path).some((d) => d.body.data.id === ticket), 'the witness to get the ticket', 30_000);
    expect(await deliveries(off.endpoint.id)).toEqual([]);
    expect(at(off.path)).toEqual([]);
  });
});

describe('several tenant subgraph processes', () => {
  it('deliver each event once and in order while two senders share the work', async () => {
    // A second sender and fan-out beside the stack's, on the same databases (as a second process would be).
    const conn = await connectMongo('tenant', mongo);
    const events = await openEventLog(mongo);
    const models = tenantModels(conn);
    const logger = createLogger('second-tenant-process');
    const relay = createRelay(events, () => [models.WebhookEndpoint], { logger });
    const second = await startWebhookEngine({ conn, models, events, relay, settings: { ...webhookSettingsFromEnv(), allowLoopback: true, pollMs: 50 }, logger });
    try {
      const { path } = await newEndpoint(['ticket.created', 'ticket.statusChanged']);
      const tickets = await Promise.all([openTicket('Two senders A'), openTicket('Two senders B'), openTicket('Two senders C')]);
      for (const status of ['IN_PROGRESS', 'SCHEDULED', 'EN_ROUTE']) await Promise.all(tickets.map((t) => changeStatus(t, status)));
      await until(() => new Set(verifiedAt(path).map((d) => d.id)).size === 12, 'all twelve events', 60_000);
      await new Promise((r) => setTimeout(r, 500));
      const got = verifiedAt(path);
      expect(got).toHaveLength(12);
      // The second process did read the log too.
      expect(second.consumer.position).toBeGreaterThan(0);
      for (const t of tickets) {
        expect(got.filter((d) => d.body.data.id === t).map((d) => d.body.data.to ?? d.body.data.status)).toEqual(['OPEN', 'IN_PROGRESS', 'SCHEDULED', 'EN_ROUTE']);
      }
    } finally {
      await second.stop();
      await relay.stop();
      await events.close();
      await conn.close();
    }
  });
});

describe('the demo receiver', () => {
  it('verifies the demo endpoints\' deliveries and shows the newest as JSON', async () => {
    const demo = await startWebhookReceiver({ keep: 5 });
    try {
      const webhooks = await seedDemoWebhooks(mongo, demo.url);
      expect(webhooks.map((w) => w.tenant).sort()).toEqual(['prairie', 'skyline']);
      for (const w of webhooks) demo.secrets.set(new URL(w.url).pathname, [w.secret]);
      const ticket = await openTicket('Demo receiver');
      await until(() => demo.verified().some((d) => d.path === '/skyline' && d.body.data.id === ticket), 'the demo receiver to get the ticket', 30_000);
      const shown = (await (await fetch(`${demo.url}/`)).json()) as { deliveries: { path: string; body: { type: string; data: { id: string } }; verified: boolean }[] };
      expect(shown.deliveries[0]).toMatchObject({ path: '/skyline', verified: true, body: { data: { id: ticket } } });
      expect(demo.all.every((d) => d.verified)).toBe(true);
      // A delivery signed with another secret is refused and not shown.
      const forged = await fetch(`${demo.url}/skyline`, { method: 'POST', headers: { 'content-type': 'application/json', 'webhook-id': 'msg_x', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' }, body: '{"type":"ticket.created","timestamp":"","data":{}}' });
      expect(forged.status).toBe(401);
      expect(demo.verified().every((d) => d.id !== 'msg_x')).toBe(true);
    } finally {
      await demo.stop();
    }
  });
});
