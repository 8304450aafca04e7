/**
 * The change feed: a tenant's events after a cursor, for integrations that poll instead of taking
 * webhooks. Tenant-scoped, within `events:read`, never internal notes or staff-only fields
 * without `notes:read`, and honest about a cursor older than what the log keeps.
 */
import { randomUUID } from 'node:crypto';
import { codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const url = inject('gatewayUrl');
let admin: string, agent: string, alice: string, prairieAdmin: string;
const FEED = `query($after: String, $first: Int, $types: [String!]) { changes(after: $after, first: $first, types: $types) { cursor hasMore items { id cursor type at data } } }`;

type Change = { id: string; cursor: string; type: string; at: string; data: string };
type Feed = { cursor: string; hasMore: boolean; items: Change[] };

async function key(scopes: string[], token = admin): Promise<string> {
  const r = await gql(url, `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`, { input: { name: `feed ${randomUUID().slice(0, 6)}`, scopes, clientMutationId: randomUUID() } }, { token });
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.createApiKey.secret;
}

async function read(token: string, variables: Record<string, unknown> = {}): Promise<Feed> {
  const r = await gql(url, FEED, variables, { token });
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.changes;
}

/** Every change after `after`, page by page. */
async function readAll(token: string, after: string | null, types?: string[]): Promise<{ items: Change[]; cursor: string }> {
  const items: Change[] = [];
  let cursor = after;
  for (let page = 0; page < 50; page++) {
    const feed = await read(token, { after: cursor, first: 200, types });
    items.push(...feed.items);
    cursor = feed.cursor;
    if (!feed.hasMore) break;
  }
  return { items, cursor: cursor ?? '0' };
}

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  [admin, agent, alice, prairieAdmin] = await Promise.all([
    emulatorIdToken('admin@skyline.example', 'skyline'),
    emulatorIdToken('agent@skyline.example', 'skyline'),
    emulatorIdToken('alice@skyline.example', 'skyline'),
    emulatorIdToken('admin@prairie.example', 'prairie'),
  ]);
});

describe('the change feed', () => {
  it('gives a tenant\'s events after a cursor, in order, and internal notes only with notes:read', async () => {
    const [plain, notes, prairie] = await Promise.all([key(['events:read']), key(['events:read', 'notes:read']), key(['events:read'], prairieAdmin)]);
    const start = (await readAll(plain, null)).cursor;
    const prairieStart = (await readAll(prairie, null)).cursor;

    const opened = await gql(url, `mutation($input: OpenTicketInput!) { openTicket(input: $input) { id } }`, { input: { title: 'Feed test', description: 'Slow evenings', category: 'SLOW_SPEED', clientMutationId: randomUUID() } }, { token: alice });
    expect(opened.errors).toBeUndefined();
    const ticket = opened.data!.openTicket.id as string;
    const send = (internal: boolean) => gql(url, `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }`, { input: { workOrderId: ticket, body: internal ? 'note: check the AP' : 'We are on it', internal, clientMutationId: randomUUID() } }, { token: agent });
    const note = (await send(true)).data!.sendMessage.id as string;
    const reply = (await send(false)).data!.sendMessage.id as string;

    const about = (items: Change[]) => items.filter((c) => JSON.parse(c.data).id === ticket || JSON.parse(c.data).workOrderId === ticket);
    const seen = await eventually(() => readAll(notes, start), (r) => about(r.items).some((c) => JSON.parse(c.data).id === reply));
    const mine = about(seen.items);
    expect(mine.map((c) => c.type)).toEqual(expect.arrayContaining(['ticket.created', 'message.created']));
    expect(mine[0]!.type).toBe('ticket.created');
    expect(mine.map((c) => JSON.parse(c.data).id)).toEqual(expect.arrayContaining([ticket, note, reply]));
    // Oldest first, each with its own cursor, times a person can read back.
    const cursors = seen.items.map((c) => Number(c.cursor));
    expect([...cursors].sort((a, b) => a - b)).toEqual(cursors);
    expect(Number.isNaN(Date.parse(mine[0]!.at))).toBe(false);

    const plainSeen = about((await readAll(plain, start)).items);
    expect(plainSeen.map((c) => JSON.parse(c.data).id)).toContain(reply);
    expect(plainSeen.map((c) => JSON.parse(c.data).id)).not.toContain(note);
    expect(JSON.stringify(plainSeen)).not.toContain('check the AP');
    expect(JSON.stringify(plainSeen)).not.toContain('assigneeUid');

    // Reading on from a change's cursor gives only what came after it.
    const created = mine.find((c) => c.type === 'ticket.created')!;
    const after = (await readAll(notes, created.cursor)).items;
    expect(after.map((c) => c.id)).not.toContain(created.id);
    expect(after.map((c) => JSON.parse(c.data).id)).toContain(reply);
    // Types narrow it.
    const onlyCreated = about((await readAll(notes, start, ['ticket.created'])).items);
    expect(onlyCreated.map((c) => c.type)).toEqual(['ticket.created']);

    // Another WISP's key sees none of it.
    expect(JSON.stringify((await readAll(prairie, prairieStart)).items)).not.toContain(ticket);
  });

  it('pages with first and hasMore, and answers the cursor it was given when nothing follows', async () => {
    const feedKey = await key(['events:read']);
    const one = await read(feedKey, { first: 1 });
    expect(one.items.length).toBeLessThanOrEqual(1);
    expect(one.hasMore).toBe(true);
    const end = (await readAll(feedKey, null)).cursor;
    expect(await read(feedKey, { after: end })).toMatchObject({ cursor: end, hasMore: false, items: [] });
  });

  it('refuses keys without events:read, people who are not administrators, and bad arguments', async () => {
    const reader = await key(['tickets:read']);
    const refused = await gql(url, FEED, {}, { token: reader });
    expect(codes(refused)).toEqual(['FORBIDDEN']);
    expect(refused.errors![0]!.extensions?.scope).toBe('events:read');
    for (const token of [agent, alice]) expect(codes(await gql(url, FEED, {}, { token }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, FEED, {}))).toEqual(['UNAUTHENTICATED']);
    const feedKey = await key(['events:read']);
    expect(codes(await gql(url, FEED, { after: 'yesterday' }, { token: feedKey }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, FEED, { first: 0 }, { token: feedKey }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, FEED, { first: 501 }, { token: feedKey }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, FEED, { types: ['tenant.created'] }, { token: feedKey }))).toEqual(['BAD_USER_INPUT']);
    // The admin reads it too, internal notes included.
    expect((await gql(url, FEED, { first: 1 }, { token: admin })).errors).toBeUndefined();
  });
});
