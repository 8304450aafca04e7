/**
 * Every hot query has an index MongoDB 7 would answer it from. The embedded database ignores
 * non-unique indexes, so nothing here reads an explain plan: the test reasons about the indexes
 * the schemas declare (see indexCoverage.ts). It checks two things: the list below of the
 * queries portal pages and live subscriptions issue, and every query the services really send
 * while a customer, an agent and an admin use the portal through the gateway (pages, live
 * subscriptions, the gateway's event-log reads, background jobs).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { assertMayOpen, type MongoOptions } from '@wisp/shared';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import mongoose from 'mongoose';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedDemo } from '../scripts/seed.ts';
import { startServices, type Services } from '../scripts/stack.ts';
import { customerId, workOrderId } from './demo.ts';
import { describeShape, servingIndex, shapeOf, type DeclaredIndex, type Direction, type QueryShape } from './indexCoverage.ts';
import { liveClient, until } from './live.ts';

/**
 * The operations the portal's server sends, read from its sources (importing them would need a
 * SvelteKit build): every template string assigned to a name or an object key, plain or marked
 * `gql`/`/* GraphQL *\/`, with `${CONST}` pieces filled in from the same file.
 */
function portalOperations(path: string): Record<string, string> {
  const text = readFileSync(new URL(`../portal/src/${path}`, import.meta.url), 'utf8');
  const pieces = Object.fromEntries([...text.matchAll(/const (\w+) = `([^`]*)`/g)].map((m) => [m[1], m[2]]));
  const ops: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)(?::|\s*(?::[^=\n]+)?=)\s*(?:gql|\/\* GraphQL \*\/\s*)?`([^`]*)`/g)) ops[m[1]!] = m[2]!.replace(/\$\{(\w+)\}/g, (_, k: string) => pieces[k] ?? '');
  return ops;
}
const served = portalOperations('lib/server/ticketQueries.ts');
const staff = portalOperations('lib/server/staffQueries.ts');
const { FACTS_QUERY } = portalOperations('lib/server/accounts.ts');
const { DASHBOARD_QUERY } = portalOperations('lib/server/dashboard.ts');
const { STAFF_DASHBOARD_QUERY } = portalOperations('lib/server/staffDashboard.ts');
const { ADMIN_BRANDING_PAGE } = portalOperations('routes/admin/branding/brandingAdmin.ts');

/** What the portal's server asks for every page (lib/server/tenantLookup.ts), trimmed to the fields that touch the database. */
const PORTAL_BRANDING_QUERY = `query($host: String!) { portalBranding(host: $host) { tenantSlug authTenantId suspended companyName logoUrl colors { primary } faq { question } } }`;

const mongo: MongoOptions = { uri: inject('mongoUri'), dbPrefix: `ix_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}` };

/**
 * Fields that only thin out one work order's conversation or files once an index has narrowed the
 * scan to that work order (a customer never sees internal notes or other customers' words).
 */
const RESIDUAL: Record<string, string[]> = {
  'messaging.messages': ['internal', 'authorKind', 'authorCustomerId'],
  'messaging.attachments': ['complete', 'internal', 'uploaderUid', 'messageId'],
};

/** The queries behind each portal page and live subscription: collection, equality fields, sort, range fields. */
const HOT: { what: string; collection: string; eq: string[]; sort?: Record<string, Direction>; range?: string[]; or?: string[][] }[] = [
  // Portal branding, on every page load (by subdomain or custom domain) and the gateway's tenant-status check.
  { what: 'branding by subdomain', collection: 'tenant.tenants', eq: ['slug'] },
  { what: 'branding by custom domain', collection: 'tenant.domains', eq: ['domain'] },
  { what: 'tenant status', collection: 'tenant.tenants', eq: ['_id'] },
  { what: 'branding history', collection: 'tenant.brandingversions', eq: ['tenantId'], sort: { version: -1 } },
  // A customer's ticket list and ticket page.
  { what: 'my tickets', collection: 'work-order.workorders', eq: ['tenantId'], or: [['reporterCustomerId'], ['affectedCustomerIds']], sort: { _id: -1 } },
  { what: 'my tickets by status', collection: 'work-order.workorders', eq: ['tenantId', 'status'], or: [['reporterCustomerId'], ['affectedCustomerIds']], sort: { _id: -1 } },
  { what: 'my tickets by category', collection: 'work-order.workorders', eq: ['tenantId', 'category'], or: [['reporterCustomerId'], ['affectedCustomerIds']], sort: { _id: -1 } },
  { what: 'my tickets by priority', collection: 'work-order.workorders', eq: ['tenantId', 'priority'], or: [['reporterCustomerId'], ['affectedCustomerIds']], sort: { _id: -1 } },
  { what: 'active outages (staff)', collection: 'work-order.workorders', eq: ['tenantId', 'type', 'status'], sort: { _id: -1 } },
  { what: 'active outages on my site', collection: 'work-order.workorders', eq: ['tenantId', 'type', 'status', 'affectedCustomerIds'], sort: { _id: -1 } },
  { what: 'conversation of a batch of tickets', collection: 'messaging.messages', eq: ['tenantId', 'workOrderId'], sort: { _id: 1 } },
  { what: 'list counters of a batch of tickets', collection: 'messaging.conversationsummaries', eq: ['_id'] },
  { what: 'read receipts of a batch of tickets', collection: 'messaging.readreceipts', eq: ['workOrderId'] },
  { what: 'files of a batch of tickets', collection: 'messaging.attachments', eq: ['workOrderId'], sort: { _id: 1 } },
  { what: 'provisioning worker: due jobs', collection: 'customer.provisioning_jobs', eq: [], or: [['status', 'runAfter~'], ['status', 'lockedUntil~']] },
  { what: 'send retry lookup', collection: 'messaging.messages', eq: ['tenantId', 'authorUid', 'clientMutationId'] },
  // The staff queue, customer list and search, notifications, call-backs, audit.
  { what: 'staff queue', collection: 'work-order.workorders', eq: ['tenantId'], sort: { _id: -1 } },
  { what: 'staff queue by status', collection: 'work-order.workorders', eq: ['tenantId', 'status'], sort: { _id: -1 } },
  { what: 'my assigned tickets', collection: 'work-order.workorders', eq: ['tenantId', 'assigneeUid'], sort: { _id: -1 } },
  { what: 'customer list', collection: 'customer.customers', eq: ['tenantId'], sort: { _id: -1 } },
  { what: 'customer search', collection: 'customer.customers', eq: ['tenantId'], or: [['name~'], ['email~'], ['accountNumber~'], ['phone~']], sort: { _id: -1 } },
  { what: 'customers on a site', collection: 'customer.customers', eq: ['tenantId', 'site'] },
  { what: 'agent notifications', collection: 'messaging.agent_notifications', eq: ['tenantId', 'recipientUid'], sort: { _id: -1 } },
  { what: 'unread agent notifications and their count', collection: 'messaging.agent_notifications', eq: ['tenantId', 'recipientUid', 'readAt'], sort: { _id: -1 } },
  { what: 'call-back requests', collection: 'work-order.callbackrequests', eq: ['tenantId', 'status'], sort: { _id: -1 } },
  { what: 'portal access audit', collection: 'customer.portal_audit', eq: ['tenantId', 'customerId'], sort: { _id: -1 } },
  // The billing page and the billing integration's pushes.
  { what: 'my invoices', collection: 'customer.invoices', eq: ['tenantId', 'customerId'], sort: { issuedAt: -1, _id: -1 } },
  { what: 'my invoices after a cursor', collection: 'customer.invoices', eq: ['tenantId', 'customerId'], or: [['issuedAt~'], ['issuedAt', '_id~']] },
  { what: 'my payments', collection: 'customer.payments', eq: ['tenantId', 'customerId'], sort: { paidAt: -1, _id: -1 } },
  { what: 'an invoice by its number', collection: 'customer.invoices', eq: ['tenantId', 'customerId', 'number'] },
  { what: 'a payment by its reference', collection: 'customer.payments', eq: ['tenantId', 'customerId', 'reference'] },
  { what: "an invoice PDF's bytes", collection: 'customer.billing_file_chunks', eq: ['fileId', 'n'] },
  // Visit booking: free slots and the board (seats in a time range), one slot's seats, a ticket's seat, tickets waiting for a visit.
  { what: 'booked visits in a range', collection: 'work-order.visitbookings', eq: ['tenantId', 'active'], range: ['slotStart'] },
  { what: 'seats of one slot', collection: 'work-order.visitbookings', eq: ['tenantId', 'active', 'slotStart'] },
  { what: 'a ticket\'s visit seat', collection: 'work-order.visitbookings', eq: ['tenantId', 'workOrderId'] },
  { what: 'tickets marked as needing a visit', collection: 'work-order.workorders', eq: ['tenantId', 'visitNeeded', 'status'], sort: { _id: -1 } },
  { what: 'tickets whose category needs a visit', collection: 'work-order.workorders', eq: ['tenantId', 'category', 'status'], sort: { _id: -1 } },
  { what: 'a tenant\'s visit capacity', collection: 'work-order.visitcapacities', eq: ['_id'] },
  // Read models, kept from other services' events: their lookups and their cursors.
  { what: 'customers on a site (work-order read model)', collection: 'work-order.rm_customers', eq: ['tenantId', 'state.site'] },
  { what: 'a customer (read model)', collection: 'work-order.rm_customers', eq: ['_id', 'tenantId'] },
  { what: 'a tenant by slug (customer read model)', collection: 'customer.rm_tenants', eq: ['state.slug'] },
  { what: 'work orders of a conversation batch (messaging read model)', collection: 'messaging.rm_work-orders', eq: ['_id'] },
  { what: 'a consumer cursor', collection: 'messaging.event_cursors', eq: ['_id'] },
  // Live updates: the gateway's event-log reads.
  { what: 'event log after a cursor', collection: 'events.events', eq: [], range: ['seq'], sort: { seq: 1 } },
  { what: 'event log head', collection: 'events.events', eq: [], sort: { seq: -1 } },
];

let declared: Map<string, DeclaredIndex[]>;

/** The indexes every model of the running services declares, read from their open connections. */
function declaredIndexes(): Map<string, DeclaredIndex[]> {
  const byCollection = new Map<string, DeclaredIndex[]>();
  for (const conn of mongoose.connections) {
    if (conn.readyState !== 1 || !conn.name?.startsWith(`${mongo.dbPrefix}_`)) continue;
    for (const model of Object.values(conn.models)) {
      const key = `${serviceOf(conn.name)}.${model.collection.collectionName}`;
      if (byCollection.has(key)) continue;
      const list: DeclaredIndex[] = [];
      for (const [fields, options] of model.schema.indexes()) {
        list.push({ keys: Object.entries(fields).map(([k, d]) => [k, Number(d) < 0 ? -1 : 1]), unique: !!(options as { unique?: boolean }).unique });
      }
      byCollection.set(key, list);
    }
  }
  return byCollection;
}

const serviceOf = (database: string) => database.slice(`${mongo.dbPrefix}_`.length).replace('work_order', 'work-order');

const captured = new Map<string, { shape: QueryShape; command: string }>();
let capturing = false;

/** Which databases each service sent commands to, over the whole run. */
const touched = new Map<string, Set<string>>();

function capture(e: { commandName: string; databaseName: string; command: Record<string, unknown>; service?: string }) {
  if (!e.databaseName.startsWith(`${mongo.dbPrefix}_`)) return;
  if (e.service) touched.set(e.service, (touched.get(e.service) ?? new Set()).add(serviceOf(e.databaseName)));
  if (!capturing) return;
  const c = e.command;
  const service = serviceOf(e.databaseName);
  const add = (coll: unknown, filter: unknown, sort: unknown) => {
    const collection = `${service}.${String(coll)}`;
    const shape = shapeOf(collection, filter as Record<string, unknown>, sort as Record<string, unknown>, new Set(RESIDUAL[collection] ?? []));
    captured.set(describeShape(shape), { shape, command: e.commandName });
  };
  switch (e.commandName) {
    case 'find':
      return add(c.find, c.filter, c.sort);
    case 'count':
      // An estimated count (no filter) reads collection metadata, not documents.
      return c.query && Object.keys(c.query as object).length ? add(c.count, c.query, null) : undefined;
    case 'distinct':
      return add(c.distinct, c.query, null);
    case 'findAndModify':
      return add(c.findAndModify, c.query, c.sort);
    case 'aggregate': {
      const stages = (c.pipeline as Record<string, unknown>[]) ?? [];
      const match = stages[0]?.$match;
      const sort = match ? stages[1]?.$sort : stages[0]?.$sort;
      return add(c.aggregate, match ?? {}, sort ?? null);
    }
    case 'update':
      for (const u of (c.updates as { q: unknown }[]) ?? []) add(c.update, u.q, null);
      return;
    case 'delete':
      for (const d of (c.deletes as { q: unknown }[]) ?? []) add(c.delete, d.q, null);
      return;
  }
}

let services: Services;
let url: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  await seedDemo({ mongo, logins: false });
  services = await startServices({ mongoUri: mongo.uri, dbPrefix: mongo.dbPrefix!, identitySecret: randomBytes(32).toString('base64url'), projectId: inject('projectId'), onCommand: capture });
  declared = declaredIndexes();
  url = services.gatewayUrl;
  const [alice, agent, admin] = await Promise.all([
    emulatorIdToken('alice@skyline.example', 'skyline'),
    emulatorIdToken('agent@skyline.example', 'skyline'),
    emulatorIdToken('admin@skyline.example', 'skyline'),
  ]);
  Object.assign(tokens, { alice, agent, admin });
});
afterAll(async () => {
  await services?.stop();
});

async function run(who: string | null, doc: string | undefined, variables: Record<string, unknown> = {}) {
  expect(doc, 'a portal operation').toBeTruthy();
  const r = await gql(url, doc!, variables, who ? { token: tokens[who]! } : {});
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data as any;
}

describe('indexes', () => {
  it('serve every listed hot query', () => {
    const missing: string[] = [];
    for (const q of HOT) {
      const tilde = (fs: string[]) => ({ eq: fs.filter((f) => !f.endsWith('~')), range: fs.filter((f) => f.endsWith('~')).map((f) => f.slice(0, -1)) });
      const shape: QueryShape = {
        collection: q.collection,
        eq: q.eq,
        sort: Object.entries(q.sort ?? {}) as [string, Direction][],
        range: q.range ?? [],
        ...(q.or ? { or: q.or.map(tilde) } : {}),
      };
      expect(declared.has(q.collection), `no model for ${q.collection}`).toBe(true);
      if (!servingIndex(shape, declared.get(q.collection) ?? [])) missing.push(`${q.what}: ${describeShape(shape)}`);
    }
    expect(missing).toEqual([]);
  });

  it('serve every query the services send while the portal is used', async () => {
    capturing = true;
    const SKY_ALICE = workOrderId('skyline', 1001);
    // Portal page loads: branding by subdomain and by custom domain, the customer's start page.
    await run(null, PORTAL_BRANDING_QUERY, { host: 'skyline.localhost' });
    await run(null, PORTAL_BRANDING_QUERY, { host: 'portal.skyline.example' });
    await run('alice', DASHBOARD_QUERY);
    // Live: a customer on her ticket page and list, an agent on the queue; the gateway tails the event log.
    const aliceLive = liveClient(url, tokens.alice!);
    const agentLive = liveClient(url, tokens.agent!);
    const MESSAGES = `subscription($id: ID!) { messageAdded(workOrderId: $id) { cursor kind message { id body } } }`;
    const CHANGES = (field: string) => `subscription { ${field} { cursor kind workOrder { id number status unreadCount } } }`;
    const subs = [aliceLive.subscribe(MESSAGES, { id: SKY_ALICE }), aliceLive.subscribe(CHANGES('myWorkOrdersChanged')), agentLive.subscribe(CHANGES('queueChanged'))];
    try {
      await until(() => subs.every((s) => s.started.length > 0), 'subscriptions to start', 20_000);
      // The customer's pages.
      await run('alice', served.MY_TICKETS_QUERY, { first: 20 });
      await run('alice', served.MY_TICKETS_QUERY, { first: 20, status: ['OPEN', 'IN_PROGRESS'] });
      await run('alice', served.MY_TICKETS_QUERY, { first: 20, category: ['SLOW_SPEED'] });
      await run('alice', served.MY_TICKETS_QUERY, { first: 20, priority: ['URGENT'] });
      await run('alice', FACTS_QUERY);
      await run('alice', served.TICKET_PAGE_QUERY, { id: SKY_ALICE });
      await run('alice', served.SEND_MESSAGE_MUTATION, { input: { workOrderId: SKY_ALICE, body: 'Still slow tonight.', clientMutationId: randomUUID() } });
      await run('alice', served.MARK_READ_MUTATION, { id: SKY_ALICE });
      await run('alice', served.NEW_TICKET_QUERY);
      const opened = await run('alice', served.OPEN_TICKET_MUTATION, { input: { title: 'Router lights off', description: 'Nothing lights up.', category: 'EQUIPMENT', clientMutationId: randomUUID() } });
      await run('alice', served.TICKET_FILES_QUERY, { id: opened.openTicket.id });
      await run('alice', served.CALLBACK_MUTATION, { input: { workOrderId: opened.openTicket.id, phone: '+15555550123', preferredTime: new Date(Date.now() + 86_400_000).toISOString(), clientMutationId: randomUUID() } });
      // The customer's billing page, its next page of invoices, and an invoice PDF.
      const BILLING = `query($after: String) { viewer { customer { billing { balanceCents currency dueDate invoices(first: 2, after: $after) { edges { node { id number pdf { path } } } pageInfo { endCursor } } payments(first: 10) { edges { node { id } } } } } } }`;
      const firstPage = await run('alice', BILLING);
      await run('alice', BILLING, { after: firstPage.viewer.customer.billing.invoices.pageInfo.endCursor });
      const pdfPath = firstPage.viewer.customer.billing.invoices.edges.find((e: { node: { pdf: { path: string } | null } }) => e.node.pdf)?.node.pdf.path;
      expect((await fetch(`${url.replace(/\/graphql$/, '')}${pdfPath}`, { headers: { authorization: `Bearer ${tokens.alice}` } })).status).toBe(200);
      // The billing integration's pushes (an admin may push too).
      const billed = { customerId: customerId('skyline', 'alice') };
      await run('admin', `mutation($c: BillingCustomerInput!) { setBillingBalance(customer: $c, input: { balanceCents: 6900, currency: "USD", dueDate: "2026-12-15" }) { balanceCents } }`, { c: billed });
      await run('admin', `mutation($c: BillingCustomerInput!) { upsertInvoice(customer: $c, input: { number: "IX-1", issuedAt: "2026-12-01T09:00:00Z", amountCents: 6900, currency: "USD", status: OPEN }) { created } }`, { c: billed });
      await run('admin', `mutation($c: BillingCustomerInput!) { upsertPayment(customer: $c, input: { reference: "IX-P1", paidAt: "2026-12-02T09:00:00Z", amountCents: 6900, currency: "USD" }) { created } }`, { c: billed });
      // The agent's pages.
      const { viewer: agentViewer } = await run('agent', '{ viewer { uid role } }');
      await run('agent', STAFF_DASHBOARD_QUERY, { me: agentViewer.uid, first: 50 });
      await run('agent', staff.QUEUE_QUERY, { first: 50 });
      await run('agent', staff.QUEUE_QUERY, { first: 50, filter: { status: ['OPEN'] } });
      await run('agent', staff.STAFF_TICKET_QUERY, { id: SKY_ALICE });
      await run('agent', staff.STAFF_LISTS_QUERY);
      await run('agent', staff.send, { input: { workOrderId: SKY_ALICE, body: 'Looking into it.', clientMutationId: randomUUID() } });
      await run('agent', staff.send, { input: { workOrderId: SKY_ALICE, body: 'Tower 3 again.', internal: true, clientMutationId: randomUUID() } });
      await run('agent', staff.status, { id: opened.openTicket.id, status: 'IN_PROGRESS' });
      await run('agent', staff.AGENT_NOTIFICATIONS_QUERY);
      await run('agent', staff.CALLBACKS_QUERY);
      const CUSTOMERS = `query($s: String) { customers(search: $s, first: 25) { edges { node { id name email accountNumber site } } pageInfo { hasNextPage endCursor } } }`;
      await run('agent', CUSTOMERS, {});
      await run('agent', CUSTOMERS, { s: 'ali' });
      await run('agent', CUSTOMERS, { s: '555 01' });
      await run('agent', `query($id: ID!) { customer(id: $id) { id name tickets(first: 20) { edges { node { id number unreadCount } } } } }`, { id: customerId('skyline', 'alice') });
      // The admin's pages.
      await run('admin', ADMIN_BRANDING_PAGE);
      await run('admin', `{ portalAccessAudit(first: 20) { edges { node { id } } } }`);
      await run('admin', `query($id: ID!) { portalAccessAudit(customerId: $id, first: 20) { edges { node { id } } } }`, { id: customerId('skyline', 'alice') });
      await until(() => subs[0]!.data.length >= 1 && subs[2]!.data.length >= 1, 'live updates', 20_000);
    } finally {
      capturing = false;
      await Promise.all([aliceLive.dispose(), agentLive.dispose()]);
    }

    const unserved: string[] = [];
    for (const [described, { shape, command }] of captured) {
      if (!servingIndex(shape, declared.get(shape.collection) ?? [])) unserved.push(`${command} ${described}`);
    }
    console.log(`${captured.size} query shapes captured:\n  ${[...captured.keys()].sort().join('\n  ')}`);
    expect(captured.size).toBeGreaterThan(20);
    expect(unserved).toEqual([]);
  }, 180_000);

  it('are each in the database of the service that sends the query: no service touched another\'s', () => {
    // Runs after the journey above, which used every service through the gateway.
    expect([...touched.keys()].sort()).toEqual(expect.arrayContaining(['customer', 'gateway', 'messaging', 'tenant', 'work-order']));
    const foreign: string[] = [];
    for (const [service, databases] of touched) {
      for (const database of databases) {
        try {
          assertMayOpen(service, database);
        } catch {
          foreign.push(`${service} → ${database}`);
        }
      }
    }
    expect(foreign).toEqual([]);
  });
});
