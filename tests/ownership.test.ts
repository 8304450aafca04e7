/**
 * Each service owns its data. Statically: subgraphs import only the shared and events packages
 * (never each other) and open no database by hand; at run time the connection factory refuses a
 * foreign database (tests/indexes.test.ts also records every database each running service sent
 * commands to). And facts move by events: every entity has events and an owner, every owner's
 * writes publish them, and the read models fed by them answer what the owner just changed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ENTITY_STATE, EVENT_CATALOGUE, openEventLog, PENDING_EVENTS, type EventType } from '@wisp/events';
import { connectMongo, DATABASE_OWNERS, mongoFor } from '@wisp/shared';
import { createModels as customerModels } from '@wisp/subgraph-customer/models';
import { createModels as messagingModels } from '@wisp/subgraph-messaging/models';
import { createModels as tenantModels } from '@wisp/subgraph-tenant/models';
import { createModels as workOrderModels } from '@wisp/subgraph-work-order/models';
import { emulatorIdToken } from '@wisp/shared/testing';
import mongoose from 'mongoose';
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { admin, agent, api, createCustomer, newCustomer, unique } from './portalAccounts.ts';
import { createTestTenant } from './tenantFixtures.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const SUBGRAPHS = ['tenant', 'customer', 'work-order', 'messaging'] as const;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}
const importsOf = (text: string) => [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g), ...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!);

describe('service ownership', () => {
  it('subgraphs import only the shared and events packages, never each other', () => {
    const wrong: string[] = [];
    for (const sg of SUBGRAPHS) {
      const root = join(ROOT, 'subgraphs', sg, 'src');
      for (const file of sources(root)) {
        for (const spec of importsOf(readFileSync(file, 'utf8'))) {
          const foreign = spec.startsWith('@wisp/') && !/^@wisp\/(shared|events)(\/|$)/.test(spec);
          const escapes = spec.startsWith('.') && relative(root, join(file, '..', spec)).startsWith('..');
          if (foreign || escapes) wrong.push(`${relative(ROOT, file)} imports ${spec}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('no subgraph or gateway code opens a database by hand', () => {
    // The gateway keeps its rate-limit budgets in its own database, opened bound to itself (checked below).
    const opensOnlyItsOwn = (file: string, text: string) =>
      file === 'gateway/src/rateLimits.ts' && [...text.matchAll(/\bconnectMongo\(([^)]*\))/g)].every((m) => m[1]!.startsWith("'gateway', mongoFor('gateway',"));
    const wrong: string[] = [];
    for (const dir of [...SUBGRAPHS.map((s) => join(ROOT, 'subgraphs', s, 'src')), join(ROOT, 'gateway', 'src')]) {
      for (const file of sources(dir)) {
        const text = readFileSync(file, 'utf8');
        for (const pattern of [/\.useDb\(/, /createConnection\(/, /mongoose\.connect\(/, /new MongoClient\(/, /\bconnectMongo\(/]) {
          if (pattern.test(text) && !opensOnlyItsOwn(relative(ROOT, file), text)) wrong.push(`${relative(ROOT, file)}: ${pattern.source}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('refuses a connection to another service\'s database, and allows the own one and the shared plumbing', async () => {
    const mongo = { uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') };
    for (const [service, foreign] of [['work-order', 'customer'], ['messaging', 'work-order'], ['customer', 'tenant'], ['gateway', 'messaging']] as const) {
      await expect(connectMongo(foreign, mongoFor(service, mongo))).rejects.toThrow(`The ${service} service may not open the ${foreign} database`);
    }
    for (const allowed of ['messaging', 'events', 'outbox']) {
      const conn = await connectMongo(allowed, mongoFor('messaging', mongo));
      await conn.close();
    }
    await (await connectMongo('gateway', mongoFor('gateway', mongo))).close();
    await expect(connectMongo('gateway', mongoFor('tenant', mongo))).rejects.toThrow('The tenant service may not open the gateway database');
    expect(Object.keys(DATABASE_OWNERS).sort()).toEqual(['customer', 'events', 'gateway', 'messaging', 'outbox', 'tenant', 'work-order']);
  });
});

describe('the event catalogue', () => {
  const types = Object.keys(EVENT_CATALOGUE) as EventType[];

  it('gives every entity events and an owner, and every owner events', () => {
    const entities = new Set(types.map((t) => EVENT_CATALOGUE[t].entity));
    expect([...entities].sort()).toEqual(['BillingAccount', 'CallbackRequest', 'Customer', 'Invoice', 'Message', 'Payment', 'Tenant', 'WebhookEndpoint', 'WorkOrder']);
    const owners = new Set(types.map((t) => EVENT_CATALOGUE[t].owner));
    expect([...owners].sort()).toEqual([...SUBGRAPHS].sort());
    // The entities other services keep read models of publish their state.
    expect(Object.keys(ENTITY_STATE).sort()).toEqual(['Customer', 'Tenant', 'WorkOrder']);
    for (const needed of ['customer.created', 'customer.updated', 'customer.serviceStatusChanged', 'portalAccess.changed', 'tenant.created', 'tenant.renamed', 'tenant.suspended', 'branding.published', 'callback.requested', 'callback.completed']) {
      expect(types).toContain(needed);
    }
  });

  it('saves events with the change on every entity model that publishes', () => {
    const conn = mongoose.createConnection();
    const models = { ...tenantModels(conn), ...customerModels(conn), ...workOrderModels(conn), ...messagingModels(conn) } as Record<string, unknown>;
    for (const name of ['Tenant', 'WebhookEndpoint', 'Customer', 'WorkOrder', 'CallbackRequest', 'Message', 'ReadReceipt', 'BillingAccount', 'Invoice', 'Payment']) {
      expect((models[name] as mongoose.Model<unknown>).schema.path(PENDING_EVENTS), `${name} carries pending events`).toBeTruthy();
    }
  });
});

describe('facts move by events', () => {
  const url = inject('gatewayUrl');
  const mongo = { uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') };

  async function eventsFor(entityId: string) {
    const log = await openEventLog(mongo);
    try {
      const out = [];
      let after = 0;
      for (;;) {
        const { events } = await log.readAfter(after, 1000);
        if (!events.length) break;
        out.push(...events.filter((e) => e.entityId === entityId));
        after = events.at(-1)!.seq;
      }
      return out;
    } finally {
      await log.close();
    }
  }

  it('publishes customer and portal-access changes with the customer\'s state', async () => {
    const token = await agent();
    const c = await createCustomer(token, newCustomer());
    const r = await api(`mutation($id: ID!, $input: UpdateCustomerInput!) { updateCustomer(id: $id, input: $input) { ok } }`, { id: c.id, input: { serviceStatus: 'SUSPENDED', site: 'Valley Tower' } }, token);
    expect(r.data?.updateCustomer.ok).toBe(true);
    const events = await eventsFor(c.id);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['customer.created', 'customer.updated', 'customer.serviceStatusChanged']));
    const status = events.find((e) => e.type === 'customer.serviceStatusChanged')!;
    expect(status.payload).toEqual({ from: 'ACTIVE', to: 'SUSPENDED' });
    // The newest event carries the customer as it now is.
    expect(events.at(-1)!.state).toMatchObject({ accountNumber: c.accountNumber, serviceStatus: 'SUSPENDED', site: 'Valley Tower' });
  });

  it('publishes tenant changes with the tenant\'s state', async () => {
    const ops = await emulatorIdToken('ops@platform.example');
    const t = await createTestTenant(url, ops, 'ev');
    const renamed = await api(`mutation($id: ID!) { renameTenant(id: $id, name: "Renamed Wireless") { name } }`, { id: t.id }, ops);
    expect(renamed.errors).toBeUndefined();
    await api(`mutation($id: ID!) { suspendTenant(id: $id) { status } }`, { id: t.id }, ops);
    await api(`mutation($id: ID!) { suspendTenant(id: $id) { status } }`, { id: t.id }, ops);
    const events = await eventsFor(t.id);
    expect(events.map((e) => e.type)).toEqual(['tenant.created', 'tenant.renamed', 'tenant.suspended']);
    expect(events.at(-1)!.state).toMatchObject({ slug: t.slug, name: 'Renamed Wireless', status: 'SUSPENDED', authTenantId: expect.any(String) });
  });

  it('lets work orders see a customer a moment after the customer service changed it', async () => {
    const token = await agent();
    const site = `Tower ${unique()}`;
    const c = await createCustomer(token, { ...newCustomer(), site });
    // At once: the outage service's read model holds what the customer service just wrote.
    const OUTAGE = `mutation($input: CreateOutageInput!) { createOutage(input: $input) { id affectedCustomers { id } } }`;
    const first = await api(OUTAGE, { input: { title: 'Sector down', description: 'Power cut.', site, clientMutationId: randomUUID() } }, token);
    expect(first.errors).toBeUndefined();
    expect(first.data!.createOutage.affectedCustomers.map((x: { id: string }) => x.id)).toEqual([c.id]);
    // Moved to another site: no longer reached there.
    const other = `Tower ${unique()}`;
    await api(`mutation($id: ID!, $input: UpdateCustomerInput!) { updateCustomer(id: $id, input: $input) { ok } }`, { id: c.id, input: { site: other } }, token);
    const again = await api(OUTAGE, { input: { title: 'Sector down again', description: 'Power cut.', site, clientMutationId: randomUUID() } }, token);
    expect(again.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const moved = await api(OUTAGE, { input: { title: 'Other sector down', description: 'Power cut.', site: other, clientMutationId: randomUUID() } }, token);
    expect(moved.data!.createOutage.affectedCustomers.map((x: { id: string }) => x.id)).toEqual([c.id]);
  });

  it('lets messaging accept a message on a ticket opened a moment ago, and alert staff of it', async () => {
    const alice = await emulatorIdToken('alice@skyline.example', 'skyline');
    const opened = await api(`mutation($input: OpenTicketInput!) { openTicket(input: $input) { id number } }`, { input: { title: 'Just opened', description: 'Then a message.', category: 'OTHER', clientMutationId: randomUUID() } }, alice);
    const id = opened.data!.openTicket.id as string;
    const sent = await api(`mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }`, { input: { workOrderId: id, body: 'Right away.', clientMutationId: randomUUID() } }, alice);
    expect(sent.errors).toBeUndefined();
    // Staff alerts come from messaging, which hears of the new ticket by its event.
    const staff = await admin();
    const deadline = Date.now() + 10_000;
    let titles: string[] = [];
    while (Date.now() < deadline) {
      const n = await api(`{ agentNotifications(first: 50) { items { title workOrder { id } } } }`, {}, staff);
      titles = n.data!.agentNotifications.items.filter((i: { workOrder: { id: string } | null }) => i.workOrder?.id === id).map((i: { title: string }) => i.title);
      if (titles.length >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(titles).toEqual(expect.arrayContaining([`New ticket ${opened.data!.openTicket.number}: Just opened`, expect.stringContaining(`New message on ${opened.data!.openTicket.number}`)]));
  });
});
