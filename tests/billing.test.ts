/**
 * The billing integration pushes each customer's balance, invoices (with a PDF stored here or a
 * link to the billing system) and payments with an API key; the customer reads only their own,
 * the tenant's staff read any of their tenant's, and another tenant never sees or writes them.
 */
import { randomUUID } from 'node:crypto';
import { openEventLog } from '@wisp/events';
import { codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { customerId } from './demo.ts';
import { admin } from './portalAccounts.ts';
import { createTestTenant } from './tenantFixtures.ts';

const url = inject('gatewayUrl');
const base = url.replace(/\/graphql\/?$/, '');
const run = randomUUID().slice(0, 8);
const ALICE = customerId('skyline', 'alice');
const BOB = customerId('skyline', 'bob');
const PRAIRIE_ALICE = customerId('prairie', 'alice');

let billingKey: string, readerKey: string, customersKey: string, prairieBillingKey: string;
let alice: string, bob: string, agent: string, prairieAlice: string, prairieAdmin: string;

const BALANCE = `mutation($customer: BillingCustomerInput!, $input: BillingBalanceInput!) { setBillingBalance(customer: $customer, input: $input) { balanceCents currency dueDate } }`;
const INVOICE = `mutation($customer: BillingCustomerInput!, $input: InvoiceInput!) { upsertInvoice(customer: $customer, input: $input) { created changed invoice { id number issuedAt dueDate amountCents currency status url pdf { id filename size path } } } }`;
const PAYMENT = `mutation($customer: BillingCustomerInput!, $input: PaymentInput!) { upsertPayment(customer: $customer, input: $input) { created changed payment { id reference paidAt amountCents currency method } } }`;
const BILLING = `balanceCents currency dueDate invoices(first: 50) { edges { node { id number amountCents status url pdf { id path } } } } payments(first: 50) { edges { node { reference amountCents } } }`;
const MY_BILLING = `{ viewer { customer { id billing { ${BILLING} } } } }`;
const CUSTOMER_BILLING = `query($id: ID!) { customer(id: $id) { id billing { ${BILLING} } } }`;

const invoice = (n: string, extra: Record<string, unknown> = {}) => ({ number: `INV-${run}-${n}`, issuedAt: '2026-11-01T09:00:00Z', dueDate: '2026-11-15', amountCents: 6900, currency: 'USD', status: 'OPEN', ...extra });
const PDF = Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`);
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a48e0000000049454e44ae426082', 'hex');

const upload = (token: string, body: Buffer, filename = 'invoice.pdf') =>
  fetch(`${base}/billing-files?filename=${encodeURIComponent(filename)}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` }, body });
const download = (token: string, path: string) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
/** The events published about one entity, oldest first. */
async function eventsOf(entityId: string) {
  const log = await openEventLog({ uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') });
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

const numbers = (billing: { invoices: { edges: { node: { number: string } }[] } }) => billing.invoices.edges.map((e) => e.node.number);

beforeAll(async () => {
  const [skylineAdmin, prairieAdminToken] = await Promise.all([admin(), admin('prairie')]);
  prairieAdmin = prairieAdminToken;
  const key = async (token: string, scopes: string[]) => {
    const r = await gql(url, `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`, { input: { name: `Billing ${run} ${scopes.join(' ')}`, scopes } }, { token });
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    return r.data!.createApiKey.secret as string;
  };
  [billingKey, readerKey, customersKey, prairieBillingKey] = await Promise.all([
    key(skylineAdmin, ['billing:write', 'billing:read', 'customers:read']),
    key(skylineAdmin, ['billing:read', 'customers:read']),
    key(skylineAdmin, ['customers:read', 'customers:write']),
    key(prairieAdminToken, ['billing:write', 'billing:read', 'customers:read']),
  ]);
  [alice, bob, agent, prairieAlice] = await Promise.all([
    emulatorIdToken('alice@skyline.example', 'skyline'),
    emulatorIdToken('bob@skyline.example', 'skyline'),
    emulatorIdToken('agent@skyline.example', 'skyline'),
    emulatorIdToken('alice@prairie.example', 'prairie'),
  ]);
});

describe('billing pushes', () => {
  it('need an API key with billing:write', async () => {
    for (const [q, v] of [
      [BALANCE, { customer: { customerId: ALICE }, input: { balanceCents: 100, currency: 'USD' } }],
      [INVOICE, { customer: { customerId: ALICE }, input: invoice('nope') }],
      [PAYMENT, { customer: { customerId: ALICE }, input: { reference: `P-${run}-nope`, paidAt: '2026-11-02T10:00:00Z', amountCents: 100, currency: 'USD' } }],
    ] as const) {
      for (const token of [readerKey, customersKey]) {
        const r = await gql(url, q, v, { token });
        expect(codes(r)).toEqual(['FORBIDDEN']);
        expect(r.errors![0]!.extensions?.scope).toBe('billing:write');
      }
      // Not a job for agents or customers either.
      for (const token of [agent, alice]) expect(codes(await gql(url, q, v, { token }))).toEqual(['FORBIDDEN']);
    }
    expect((await upload(customersKey, PDF)).status).toBe(403);
    expect((await upload(alice, PDF)).status).toBe(403);
    const mine = (await gql(url, MY_BILLING, {}, { token: alice })).data!.viewer.customer.billing;
    expect(numbers(mine)).not.toContain(`INV-${run}-nope`);
  });

  it('set the balance, and pushing an invoice or payment again updates it instead of adding another', async () => {
    const customer = { customerId: ALICE };

    const first = await gql(url, INVOICE, { customer, input: invoice('1', { url: 'https://billing.example/invoices/1' }) }, { token: billingKey });
    expect(first.errors).toBeUndefined();
    expect(first.data!.upsertInvoice).toMatchObject({ created: true, changed: true, invoice: { number: `INV-${run}-1`, amountCents: 6900, status: 'OPEN', issuedAt: '2026-11-01T09:00:00.000Z', url: 'https://billing.example/invoices/1', pdf: null } });
    const again = await gql(url, INVOICE, { customer, input: invoice('1', { url: 'https://billing.example/invoices/1' }) }, { token: billingKey });
    expect(again.data!.upsertInvoice).toMatchObject({ created: false, changed: false, invoice: { id: first.data!.upsertInvoice.invoice.id } });
    const paid = await gql(url, INVOICE, { customer, input: invoice('1', { status: 'PAID', url: 'https://billing.example/invoices/1' }) }, { token: billingKey });
    expect(paid.data!.upsertInvoice).toMatchObject({ created: false, changed: true, invoice: { id: first.data!.upsertInvoice.invoice.id, status: 'PAID' } });
    // Published for webhooks and other services: issued once, then the one change; the repeat is no news.
    const published = await eventsOf(first.data!.upsertInvoice.invoice.id);
    expect(published.map((e) => e.type)).toEqual(['invoice.issued', 'invoice.updated']);
    expect(published[0]).toMatchObject({ owner: 'customer', entity: 'Invoice', customerIds: [ALICE], payload: { number: `INV-${run}-1`, amountCents: 6900, currency: 'USD', status: 'OPEN', hasPdf: false } });
    expect(published[1]!.payload).toMatchObject({ status: 'PAID', fields: ['status'] });

    // The same customer named by the integrator's own id.
    const sync = await gql(url, `mutation($rows: [CustomerUpsertInput!]!) { upsertCustomers(rows: $rows) { ok customer { id } } }`, { rows: [{ externalId: `acct-${run}`, accountNumber: `SKY-B${run}`, name: `Billed ${run}` }] }, { token: customersKey });
    const synced = sync.data!.upsertCustomers[0].customer.id as string;
    const byExternal = await gql(url, INVOICE, { customer: { externalId: `acct-${run}` }, input: invoice('ext') }, { token: billingKey });
    expect(byExternal.errors).toBeUndefined();
    // The balance (of this customer, so the demo customers' stay as seeded), sent twice: one balance.
    for (let i = 0; i < 2; i++) {
      const bal = await gql(url, BALANCE, { customer: { externalId: `acct-${run}` }, input: { balanceCents: 13800, currency: 'usd', dueDate: '2026-11-15' } }, { token: billingKey });
      expect(bal.errors).toBeUndefined();
      expect(bal.data!.setBillingBalance).toEqual({ balanceCents: 13800, currency: 'USD', dueDate: '2026-11-15' });
    }
    const ext = (await gql(url, CUSTOMER_BILLING, { id: synced }, { token: readerKey })).data!.customer.billing;
    expect(numbers(ext)).toEqual([`INV-${run}-ext`]);
    expect(ext).toMatchObject({ balanceCents: 13800, currency: 'USD', dueDate: '2026-11-15' });
    expect((await gql(url, BALANCE, { customer: { externalId: `acct-${run}` }, input: { balanceCents: 0, currency: 'USD', dueDate: null } }, { token: billingKey })).data!.setBillingBalance).toEqual({ balanceCents: 0, currency: 'USD', dueDate: null });

    const pay = { reference: `P-${run}-1`, paidAt: '2026-11-03T15:30:00-06:00', amountCents: 6900, currency: 'USD', method: 'Card' };
    const p1 = await gql(url, PAYMENT, { customer, input: pay }, { token: billingKey });
    expect(p1.data!.upsertPayment).toMatchObject({ created: true, payment: { reference: pay.reference, paidAt: '2026-11-03T21:30:00.000Z', amountCents: 6900, method: 'Card' } });
    const p2 = await gql(url, PAYMENT, { customer, input: pay }, { token: billingKey });
    expect(p2.data!.upsertPayment).toMatchObject({ created: false, changed: false, payment: { id: p1.data!.upsertPayment.payment.id } });

    const mine = (await gql(url, MY_BILLING, {}, { token: alice })).data!.viewer.customer.billing;
    expect(numbers(mine).filter((n: string) => n === `INV-${run}-1`)).toHaveLength(1);
    expect(mine.payments.edges.filter((e: { node: { reference: string } }) => e.node.reference === pay.reference)).toHaveLength(1);
  });

  it("refuse another tenant's customer as an unknown one, and bad input with the field", async () => {
    for (const customer of [{ customerId: PRAIRIE_ALICE }, { customerId: '0123456789abcdef01234567' }, { externalId: `nobody-${run}` }]) {
      expect(codes(await gql(url, INVOICE, { customer, input: invoice('x') }, { token: billingKey }))).toEqual(['NOT_FOUND']);
      expect(codes(await gql(url, BALANCE, { customer, input: { balanceCents: 1, currency: 'USD' } }, { token: billingKey }))).toEqual(['NOT_FOUND']);
    }
    // And the other way round: prairie's key cannot reach skyline's customer.
    expect(codes(await gql(url, INVOICE, { customer: { customerId: ALICE }, input: invoice('x') }, { token: prairieBillingKey }))).toEqual(['NOT_FOUND']);

    const bad: [Record<string, unknown>, string][] = [
      [{ currency: 'XYZ' }, 'currency'],
      [{ currency: 'dollars' }, 'currency'],
      [{ issuedAt: '2026-11-01' }, 'issuedAt'],
      [{ dueDate: '2026-02-30' }, 'dueDate'],
      [{ number: '' }, 'number'],
      [{ number: 'x'.repeat(65) }, 'number'],
      [{ url: 'http://billing.example/1' }, 'url'],
      [{ url: 'javascript:alert(1)' }, 'url'],
      [{ pdfFileId: '0123456789abcdef01234567' }, 'pdfFileId'],
    ];
    for (const [change, field] of bad) {
      const r = await gql(url, INVOICE, { customer: { customerId: ALICE }, input: invoice('bad', change) }, { token: billingKey });
      expect(codes(r), JSON.stringify(change)).toEqual(['BAD_USER_INPUT']);
      expect(r.errors![0]!.extensions?.field, JSON.stringify(change)).toBe(field);
    }
    const both = await gql(url, INVOICE, { customer: { customerId: ALICE, externalId: 'x' }, input: invoice('bad') }, { token: billingKey });
    expect(both.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customer' });
    const negative = await gql(url, PAYMENT, { customer: { customerId: ALICE }, input: { reference: `P-${run}-neg`, paidAt: '2026-11-02T10:00:00Z', amountCents: -5, currency: 'USD' } }, { token: billingKey });
    expect(negative.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'amountCents' });
    const mine = (await gql(url, MY_BILLING, {}, { token: alice })).data!.viewer.customer.billing;
    expect(numbers(mine)).not.toContain(`INV-${run}-bad`);
  });
});

describe('invoice PDFs', () => {
  it('are PDFs by their content, served to whoever may see the customer and nobody else', async () => {
    const png = await upload(billingKey, PNG, 'invoice.pdf');
    expect(png.status).toBe(415);
    expect(((await png.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect((await upload(billingKey, Buffer.alloc(0))).status).toBe(400);

    const stored = await upload(billingKey, PDF, 'November 2026.pdf');
    expect(stored.status).toBe(201);
    const file = (await stored.json()) as { id: string; path: string };
    // Not on any invoice yet: nobody can fetch it.
    expect((await download(agent, file.path)).status).toBe(404);

    // Another tenant cannot put this tenant's file on its invoice.
    const prairie = await gql(url, INVOICE, { customer: { customerId: PRAIRIE_ALICE }, input: invoice('pdf', { pdfFileId: file.id }) }, { token: prairieBillingKey });
    expect(prairie.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'pdfFileId' });

    const r = await gql(url, INVOICE, { customer: { customerId: ALICE }, input: invoice('pdf', { pdfFileId: file.id }) }, { token: billingKey });
    expect(r.errors).toBeUndefined();
    expect(r.data!.upsertInvoice.invoice.pdf).toMatchObject({ id: file.id, filename: 'November 2026.pdf', size: PDF.length, path: `/billing-files/${file.id}` });
    // One customer's file cannot be put on another's invoice.
    const onBob = await gql(url, INVOICE, { customer: { customerId: BOB }, input: invoice('pdf', { pdfFileId: file.id }) }, { token: billingKey });
    expect(onBob.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'pdfFileId' });
    // Nor on another invoice of the same customer (replacing one would take it from the other).
    const onOther = await gql(url, INVOICE, { customer: { customerId: ALICE }, input: invoice('pdf-2', { pdfFileId: file.id }) }, { token: billingKey });
    expect(onOther.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'pdfFileId' });
    // The same invoice sent again with its own file is fine.
    expect((await gql(url, INVOICE, { customer: { customerId: ALICE }, input: invoice('pdf', { pdfFileId: file.id }) }, { token: billingKey })).data!.upsertInvoice).toMatchObject({ changed: false });

    for (const token of [alice, agent, readerKey]) {
      const res = await download(token, file.path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-disposition')).toContain('attachment');
      expect(Buffer.from(await res.arrayBuffer()).equals(PDF)).toBe(true);
    }
    for (const token of [bob, prairieAlice, prairieAdmin, prairieBillingKey, customersKey]) expect((await download(token, file.path)).status).toBe(404);
    expect((await fetch(`${base}${file.path}`)).status).toBe(401);

    // A new PDF replaces the old one, which can no longer be fetched.
    const next = (await (await upload(billingKey, PDF, 'corrected.pdf')).json()) as { id: string; path: string };
    const replaced = await gql(url, INVOICE, { customer: { customerId: ALICE }, input: invoice('pdf', { pdfFileId: next.id }) }, { token: billingKey });
    expect(replaced.data!.upsertInvoice.invoice.pdf.id).toBe(next.id);
    expect((await download(alice, file.path)).status).toBe(404);
    expect((await download(alice, next.path)).status).toBe(200);
  });
});

describe('reading billing', () => {
  beforeAll(async () => {
    await gql(url, INVOICE, { customer: { customerId: BOB }, input: invoice('bob') }, { token: billingKey });
    await gql(url, INVOICE, { customer: { customerId: PRAIRIE_ALICE }, input: invoice('prairie') }, { token: prairieBillingKey });
  });

  it("shows a customer only their own documents, staff their tenant's, another tenant nothing", async () => {
    const aliceSees = numbers((await gql(url, MY_BILLING, {}, { token: alice })).data!.viewer.customer.billing);
    expect(aliceSees).toContain(`INV-${run}-1`);
    expect(aliceSees).not.toContain(`INV-${run}-bob`);
    const bobSees = numbers((await gql(url, MY_BILLING, {}, { token: bob })).data!.viewer.customer.billing);
    expect(bobSees).toContain(`INV-${run}-bob`);
    expect(bobSees).not.toContain(`INV-${run}-1`);
    const prairieSees = numbers((await gql(url, MY_BILLING, {}, { token: prairieAlice })).data!.viewer.customer.billing);
    expect(prairieSees).toContain(`INV-${run}-prairie`);
    expect(prairieSees.some((n: string) => n.startsWith(`INV-${run}-`) && n !== `INV-${run}-prairie`)).toBe(false);

    // Another customer's record, by id: not found.
    expect(codes(await gql(url, CUSTOMER_BILLING, { id: BOB }, { token: alice }))).toEqual(['NOT_FOUND']);
    for (const token of [prairieAdmin, prairieBillingKey]) expect(codes(await gql(url, CUSTOMER_BILLING, { id: ALICE }, { token }))).toEqual(['NOT_FOUND']);

    // The tenant's staff and a billing:read key read any of their customers.
    for (const token of [agent, readerKey]) {
      const r = await gql(url, CUSTOMER_BILLING, { id: ALICE }, { token });
      expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
      expect(numbers(r.data!.customer.billing)).toContain(`INV-${run}-1`);
    }
    // A key without a billing scope reads the customer but not their billing.
    const noScope = await gql(url, CUSTOMER_BILLING, { id: ALICE }, { token: customersKey });
    expect(codes(noScope)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(noScope.data ?? {})).not.toContain(`INV-${run}`);
  });

  it('pages newest first', async () => {
    for (const [n, day] of [['p1', '05'], ['p2', '06'], ['p3', '07']] as const) {
      await gql(url, INVOICE, { customer: { customerId: BOB }, input: invoice(n, { issuedAt: `2030-01-${day}T12:00:00Z` }) }, { token: billingKey });
    }
    const q = `query($after: String) { viewer { customer { billing { invoices(first: 2, after: $after) { edges { node { number } } pageInfo { hasNextPage endCursor } } } } } }`;
    const p1 = (await gql(url, q, {}, { token: bob })).data!.viewer.customer.billing.invoices;
    expect(p1.edges.map((e: { node: { number: string } }) => e.node.number)).toEqual([`INV-${run}-p3`, `INV-${run}-p2`]);
    expect(p1.pageInfo.hasNextPage).toBe(true);
    const p2 = (await gql(url, q, { after: p1.pageInfo.endCursor }, { token: bob })).data!.viewer.customer.billing.invoices;
    expect(p2.edges[0].node.number).toBe(`INV-${run}-p1`);
    expect(codes(await gql(url, q, { after: 'bogus' }, { token: bob }))).toEqual(['BAD_USER_INPUT']);
  });
});

describe("the WISP's payment page", () => {
  it('is an https address its admins set, shown to its portal, and nothing another tenant can change', async () => {
    const tenant = await createTestTenant(url, await emulatorIdToken('ops@platform.example'), 'pay');
    const token = await tenant.adminToken();
    const UPDATE = `mutation($tenantId: ID, $input: BrandingInput!) { updateBranding(tenantId: $tenantId, input: $input) { ok errors { field code } branding { paymentPageUrl } } }`;
    const lookup = async () => (await gql(url, `query($host: String!) { portalBranding(host: $host) { paymentPageUrl } }`, { host: `${tenant.slug}.localhost` })).data!.portalBranding.paymentPageUrl;
    expect(await lookup()).toBeNull();
    for (const bad of ['http://pay.example/', 'javascript:alert(1)', 'pay.example', 'https://user:pw@pay.example/']) {
      const r = await gql(url, UPDATE, { input: { paymentPageUrl: bad } }, { token });
      expect(r.data!.updateBranding, bad).toMatchObject({ ok: false, errors: [{ field: 'paymentPageUrl', code: 'BAD_USER_INPUT' }] });
    }
    const ok = await gql(url, UPDATE, { input: { paymentPageUrl: 'https://pay.example/skyline?src=portal' } }, { token });
    expect(ok.data!.updateBranding).toMatchObject({ ok: true, branding: { paymentPageUrl: 'https://pay.example/skyline?src=portal' } });
    expect(await lookup()).toBe('https://pay.example/skyline?src=portal');
    // Another tenant's admin names this tenant: refused, and nothing changes.
    const other = await gql(url, UPDATE, { tenantId: tenant.id, input: { paymentPageUrl: 'https://evil.example/' } }, { token: prairieAdmin });
    expect(other.errors?.length ?? 0).toBeGreaterThan(0);
    expect(await lookup()).toBe('https://pay.example/skyline?src=portal');
    // Cleared: no Pay link.
    expect((await gql(url, UPDATE, { input: { paymentPageUrl: '' } }, { token })).data!.updateBranding).toMatchObject({ ok: true, branding: { paymentPageUrl: null } });
    expect(await lookup()).toBeNull();
  });
});
