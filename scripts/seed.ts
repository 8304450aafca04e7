/**
 * Writes the demo tenants, logins, customers, tickets and conversations. Safe to run again: every
 * record has a stable id and is upserted, and logins are updated in place.
 */
import { pathToFileURL } from 'node:url';
import { API_SCOPES, claimsFor, connectMongo, createLogger, demoId, firebaseAuth, firebaseProjectId, newApiKeySecret, type MongoOptions } from '@wisp/shared';
import { announceUnannounced, createRelay, openEventLog, withEvents, type EventLog } from '@wisp/events';
import { customerEvent, customerState } from '@wisp/subgraph-customer/events';
import { tenantEvent, tenantState } from '@wisp/subgraph-tenant/events';
import { ticketEvent, workOrderState } from '@wisp/subgraph-work-order/events';
import { createModels as customerModels } from '@wisp/subgraph-customer/models';
import { recordMessage } from '@wisp/subgraph-messaging/conversationSummary';
import { createModels as messagingModels } from '@wisp/subgraph-messaging/models';
import { createModels as tenantModels } from '@wisp/subgraph-tenant/models';
import { newWebhookSecret, WEBHOOK_EVENT_TYPES } from '@wisp/subgraph-tenant/webhooks';
import { createModels as workOrderModels } from '@wisp/subgraph-work-order/models';
import type { Auth } from 'firebase-admin/auth';
import { Types, type Model } from 'mongoose';
import { simplePdf } from './demoPdf.ts';
import { customerId, demoBilling, DEMO_PASSWORD_DEFAULT, DEMO_SUPPORT, demoLogins, demoWorkOrders, messageId, TENANTS, tenantId, workOrderId, type DemoLogin } from './demoData.ts';

const oid = (id: string) => new Types.ObjectId(id);
/** Demo tickets and messages are dated by their ids, so lists read in a believable order. */
const createdAt = (id: Types.ObjectId) => ({ createdAt: id.getTimestamp(), updatedAt: id.getTimestamp() });

/** Finds or creates the Firebase Auth tenant (multi-tenancy) that holds one WISP's logins. */
async function ensureAuthTenant(auth: Auth, slug: string): Promise<string> {
  const { tenants } = await auth.tenantManager().listTenants(1000);
  const existing = tenants.find((t) => t.displayName === slug);
  if (existing) return existing.tenantId;
  const created = await auth.tenantManager().createTenant({ displayName: slug, emailSignInConfig: { enabled: true, passwordRequired: true } });
  return created.tenantId;
}

async function ensureLogin(auth: Auth, login: DemoLogin, authTenantId: string | null, password: string) {
  const scoped = authTenantId ? auth.tenantManager().authForTenant(authTenantId) : auth;
  let uid: string;
  try {
    const user = await scoped.getUserByEmail(login.email);
    uid = user.uid;
    await scoped.updateUser(uid, { password, displayName: login.displayName, disabled: false, emailVerified: true });
  } catch (err) {
    if ((err as { code?: string }).code !== 'auth/user-not-found') throw err;
    uid = (await scoped.createUser({ email: login.email, password, displayName: login.displayName, emailVerified: true })).uid;
  }
  const claims = claimsFor({
    role: login.role,
    tenantId: login.tenant ? tenantId(login.tenant) : null,
    ...(login.customerKey && login.tenant ? { customerId: customerId(login.tenant, login.customerKey) } : {}),
  });
  await scoped.setCustomUserClaims(uid, { ...claims });
  return uid;
}

/**
 * Announces what the seed wrote as its owners would: one event per demo tenant, customer and
 * ticket, saved on the document and relayed to the event log, so every service's read models
 * hold the demo data. Updates, not creations: a re-run announces the current state again and
 * triggers nothing (no staff alerts, no conversation lines).
 */
async function publishSeeded(mongo: MongoOptions, models: { Tenant: Model<any>; Customer: Model<any>; WorkOrder: Model<any> }) {
  const log: EventLog = await openEventLog(mongo);
  const relay = createRelay(
    log,
    () => [
      { model: models.Tenant, entity: 'Tenant', state: tenantState },
      { model: models.Customer, entity: 'Customer', state: customerState },
      { model: models.WorkOrder, entity: 'WorkOrder', state: workOrderState },
    ],
    { logger: createLogger('seed') },
  );
  try {
    for (const t of TENANTS) {
      const tid = oid(tenantId(t.slug));
      await models.Tenant.updateOne({ _id: tid }, withEvents({}, [tenantEvent(tid, 'tenant.updated', 'updated', { fields: ['seeded'] })]));
      for (const c of t.customers) {
        const _id = oid(customerId(t.slug, c.key));
        await models.Customer.updateOne({ _id }, withEvents({}, [customerEvent({ _id, tenantId: tid }, 'customer.updated', 'updated', { fields: ['seeded'], site: c.site ?? null })]));
      }
      for (const wo of demoWorkOrders(t)) {
        const doc = await models.WorkOrder.findById(oid(workOrderId(t.slug, wo.n))).lean<any>();
        if (doc) await models.WorkOrder.updateOne({ _id: doc._id }, withEvents({}, [ticketEvent(doc, 'ticket.updated', 'updated', { fields: ['seeded'] })]));
      }
    }
    await relay.sweep();
  } finally {
    await relay.stop();
    await log.close();
  }
}

/**
 * Announces work orders written in bulk straight into the work-order database (tests and
 * benchmarks that need many tickets fast), as the work-order subgraph announces documents saved
 * before it published state: one `ticket.updated` each, with its state, so read models know them.
 */
export async function announceWorkOrders(mongo: MongoOptions, WorkOrder: Model<any>): Promise<number> {
  const log = await openEventLog(mongo);
  const relay = createRelay(log, () => [{ model: WorkOrder, entity: 'WorkOrder', state: workOrderState }], { logger: createLogger('announce') });
  try {
    return await announceUnannounced(WorkOrder, relay, (doc) => ticketEvent(doc as never, 'ticket.updated', 'updated', { fields: [] }));
  } finally {
    await relay.stop();
    await log.close();
  }
}

export interface SeedOptions {
  mongo: MongoOptions;
  /** Also write the Firebase logins (the emulator keeps no state between runs). @default true */
  logins?: boolean;
  /** @default DEMO_PASSWORD or "demo-password" */
  password?: string;
  /**
   * A local webhook receiver (`npm start` runs one): each demo tenant gets an endpoint at
   * `<url>/<slug>` for every event type, with a new secret on every run. @default none
   */
  webhookReceiverUrl?: string;
}

/** A demo tenant's webhook endpoint: where it points and the secret that signs its deliveries. */
export interface DemoWebhook {
  tenant: string;
  url: string;
  secret: string;
}

export async function seedDemo(options: SeedOptions): Promise<{ logins: DemoLogin[]; password: string; apiKeys: { tenant: string; key: string }[]; webhooks: DemoWebhook[] }> {
  const password = options.password ?? process.env.DEMO_PASSWORD ?? DEMO_PASSWORD_DEFAULT;
  const conns = await Promise.all(['tenant', 'customer', 'work-order', 'messaging'].map((s) => connectMongo(s, options.mongo)));
  try {
    const [tc, cc, wc, mc] = conns as [(typeof conns)[0], (typeof conns)[0], (typeof conns)[0], (typeof conns)[0]];
    const { Tenant, Domain, ApiKey } = tenantModels(tc);
    const { Customer, PortalLink, AccountLink, BillingAccount, Invoice, Payment, BillingFile, BillingFileChunk } = customerModels(cc);
    const { WorkOrder } = workOrderModels(wc);
    const { Message } = messagingModels(mc);
    await Promise.all([Tenant, Customer, WorkOrder, Message].map((m) => (m as { init: () => Promise<unknown> }).init()));
    const auth = options.logins === false ? null : firebaseAuth(firebaseProjectId());
    const authTenants = new Map<string, string>();
    // Without logins, still record the auth tenants that already exist: the gateway accepts a
    // login only from the auth tenant its WISP names.
    const existingAuthTenants = auth
      ? null
      : await firebaseAuth(firebaseProjectId())
          .tenantManager()
          .listTenants(1000)
          .then(({ tenants }) => new Map(tenants.map((t) => [t.displayName, t.tenantId])), () => new Map<string | undefined, string>());

    for (const t of TENANTS) {
      const authTenantId = auth ? await ensureAuthTenant(auth, t.slug) : existingAuthTenants?.get(t.slug);
      if (authTenantId) authTenants.set(t.slug, authTenantId);
      const tid = oid(tenantId(t.slug));
      await Tenant.updateOne(
        { _id: tid },
        {
          $set: { slug: t.slug, name: t.name, domains: t.domains, branding: t.branding, ...(authTenantId ? { firebaseTenantId: authTenantId } : {}) },
          $setOnInsert: { status: 'ACTIVE' },
        },
        { upsert: true },
      );
      const support = DEMO_SUPPORT[t.slug];
      if (support) await Tenant.updateOne({ _id: tid }, { $set: { 'branding.faq': support.faq, 'branding.contact': support.contact } });
      // Claimed like any custom domain, so no other tenant can add it.
      for (const domain of t.domains) await Domain.updateOne({ domain }, { $setOnInsert: { domain, tenantId: tid } }, { upsert: true });
      for (const c of t.customers) {
        const { key, equipment, ...fields } = c;
        await Customer.updateOne(
          { _id: oid(customerId(t.slug, key)) },
          {
            $set: {
              ...fields,
              tenantId: tid,
              serviceStatus: 'ACTIVE',
              equipment: [{ ...equipment, installedAt: new Date('2024-03-14T10:00:00Z'), lastSeenAt: new Date() }],
            },
          },
          { upsert: true },
        );
        // What the billing integration would have pushed: balance, invoices (this month's with a PDF) and payments.
        const cid = oid(customerId(t.slug, key));
        const billing = demoBilling(t, c);
        await BillingAccount.updateOne({ _id: cid }, { $set: { tenantId: tid, ...billing.balance } }, { upsert: true });
        for (const inv of billing.invoices) {
          const { id, withPdf, ...invoice } = inv;
          let pdfFileId: Types.ObjectId | null = null;
          if (withPdf) {
            pdfFileId = oid(demoId(`invoice-pdf:${id}`));
            const data = simplePdf([`${t.name}`, `Invoice ${inv.number}`, `Account ${c.accountNumber} - ${c.name}`, `${c.plan.name}: USD ${(inv.amountCents / 100).toFixed(2)}`, `Due ${inv.dueDate}`]);
            await BillingFileChunk.updateOne({ fileId: pdfFileId, n: 0 }, { $set: { data } }, { upsert: true });
            await BillingFile.updateOne(
              { _id: pdfFileId },
              { $set: { tenantId: tid, customerId: cid, invoiceNumber: inv.number, uploaderUid: 'seed', filename: `${inv.number}.pdf`, contentType: 'application/pdf', size: data.length, chunks: 1, complete: true } },
              { upsert: true },
            );
          }
          await Invoice.updateOne({ _id: oid(id) }, { $set: { tenantId: tid, customerId: cid, ...invoice, pdfFileId } }, { upsert: true });
        }
        for (const { id, ...payment } of billing.payments) await Payment.updateOne({ _id: oid(id) }, { $set: { tenantId: tid, customerId: cid, ...payment } }, { upsert: true });
      }
      const agentName = `${t.name} Support`;
      for (const wo of demoWorkOrders(t)) {
        const woId = oid(workOrderId(t.slug, wo.n));
        await WorkOrder.updateOne(
          { _id: woId },
          {
            $setOnInsert: {
              ...createdAt(woId),
              tenantId: tid,
              number: `${t.prefix}-${wo.n}`,
              seq: wo.n,
              timeline: [{ to: 'OPEN', at: woId.getTimestamp(), byName: 'System' }, ...(wo.status !== 'OPEN' ? [{ from: 'OPEN', to: wo.status, at: woId.getTimestamp(), byName: agentName }] : [])],
              title: wo.title,
              description: wo.description,
              category: wo.category,
              type: wo.type,
              priority: wo.priority,
              status: wo.status,
              site: wo.site,
              ...(wo.reporter ? { reporterCustomerId: oid(customerId(t.slug, wo.reporter)) } : {}),
              affectedCustomerIds: (wo.affected ?? []).map((k) => oid(customerId(t.slug, k))),
              ...(wo.etaInMs ? { eta: new Date(Date.now() + wo.etaInMs) } : {}),
            },
          },
          { upsert: true, timestamps: false },
        );
        const reporter = wo.reporter ? t.customers.find((c) => c.key === wo.reporter) : undefined;
        for (const [i, m] of wo.messages.entries()) {
          const mid = oid(messageId(t.slug, wo.n, i));
          await Message.updateOne(
            { _id: mid },
            {
              $setOnInsert: {
                ...createdAt(oid(messageId(t.slug, wo.n, i))),
                tenantId: tid,
                workOrderId: woId,
                body: m.body,
                authorKind: m.kind,
                authorName: m.kind === 'CUSTOMER' ? (reporter?.name ?? 'Customer') : m.kind === 'AGENT' ? agentName : 'System',
                ...(m.kind === 'CUSTOMER' && reporter ? { authorCustomerId: oid(customerId(t.slug, reporter.key)) } : {}),
                internal: m.internal ?? false,
              },
            },
            { upsert: true, timestamps: false },
          );
          const stored = await Message.findById(mid).lean();
          await recordMessage(Message.db.db!, stored!);
        }
      }
    }

    if (auth) {
      for (const login of demoLogins()) {
        const uid = await ensureLogin(auth, login, login.tenant ? authTenants.get(login.tenant)! : null, password);
        if (login.customerKey && login.tenant) {
          // Demo customers' logins are in use: link them so staff see them as active portal users.
          const cid = customerId(login.tenant, login.customerKey);
          await PortalLink.updateOne({ _id: cid }, { $set: { uid, tenantId: tenantId(login.tenant) } }, { upsert: true });
          await Customer.updateOne({ _id: oid(cid) }, { $set: { portalUid: uid, 'portal.status': 'ACTIVE', 'portal.createdAt': new Date() } });
        }
        for (const link of login.links ?? []) {
          const cid = customerId(login.tenant!, link.customerKey);
          await AccountLink.updateOne(
            { _id: `${cid}:${uid}` },
            { $set: { tenantId: tenantId(login.tenant!), customerId: cid, uid, role: link.role, email: login.email, name: login.displayName, linkedBy: 'seed' } },
            { upsert: true },
          );
        }
      }
    }
    await publishSeeded(options.mongo, { Tenant, Customer, WorkOrder });
    // One integrator key per demo tenant, with a new secret on every run (only its digest is kept).
    const apiKeys: { tenant: string; key: string }[] = [];
    for (const t of TENANTS) {
      const _id = oid(demoId(`api-key:${t.slug}`));
      const { key, secretHash } = newApiKeySecret(String(_id));
      await ApiKey.updateOne(
        { _id },
        {
          $set: { secretHash, revokedAt: null, expiresAt: null, scopes: Object.keys(API_SCOPES).sort() },
          $setOnInsert: { tenantId: oid(tenantId(t.slug)), name: 'Demo integration (development only)', createdByUid: 'seed', createdByMutation: 'seed:demo-key' },
        },
        { upsert: true },
      );
      apiKeys.push({ tenant: t.slug, key });
    }
    const webhooks = options.webhookReceiverUrl ? await seedDemoWebhooks(options.mongo, options.webhookReceiverUrl) : [];
    return { logins: demoLogins(), password, apiKeys, webhooks };
  } finally {
    await Promise.all(conns.map((c) => c.close()));
  }
}

/**
 * One webhook endpoint per demo tenant at `<receiverUrl>/<slug>`, for every event type, with a new
 * secret on every run (the receiver is told the secrets; they are printed beside the demo keys).
 */
export async function seedDemoWebhooks(mongo: MongoOptions, receiverUrl: string): Promise<DemoWebhook[]> {
  const conn = await connectMongo('tenant', mongo);
  try {
    const { WebhookEndpoint } = tenantModels(conn);
    const webhooks: DemoWebhook[] = [];
    for (const t of TENANTS) {
      const url = `${receiverUrl.replace(/\/$/, '')}/${t.slug}`;
      const secret = newWebhookSecret();
      await WebhookEndpoint.updateOne(
        { _id: oid(demoId(`webhook:${t.slug}`)) },
        {
          $set: { url, eventTypes: WEBHOOK_EVENT_TYPES, enabled: true, receiving: true, disabledReason: null, disabledAt: null, consecutiveFailures: 0, failingSince: null, secrets: [{ secret, createdAt: new Date(), expiresAt: null }] },
          $setOnInsert: { tenantId: oid(tenantId(t.slug)), description: 'Demo receiver on this machine (npm start)', includeInternal: false, createdByUid: 'seed', createdByMutation: 'seed:demo-webhook' },
        },
        { upsert: true },
      );
      webhooks.push({ tenant: t.slug, url, secret });
    }
    return webhooks;
  } finally {
    await conn.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const uri = process.env.MONGODB_URI;
  if (!uri) {
    process.stderr.write('MONGODB_URI must be set (npm start seeds the embedded database by itself).\n');
    process.exit(1);
  }
  seedDemo({ mongo: { uri, dbPrefix: process.env.MONGODB_DB_PREFIX ?? 'wisp' } }).then(
    ({ logins }) => {
      process.stdout.write(`Seeded ${TENANTS.length} tenants and ${logins.length} logins.\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`Seeding failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
