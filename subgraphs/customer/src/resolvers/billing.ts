import { newEvent, PENDING_EVENTS, withEvents, type ChangeEvent, type EventType, type PayloadOf } from '@wisp/events';
import { AccountRole, badInput, forbidden, hasScope, linkTo, isDuplicateKey, isObjectId, notFound, pageQuery, Role, type Identity } from '@wisp/shared';
import { Types } from 'mongoose';
import { checkCurrency, checkDate, checkHttpsUrl, checkMoment, checkReference, checkShortText } from '../billing/billingInput.ts';
import { discardBillingFile } from '../billing/billingFiles.ts';
import type { Context } from '../context.ts';
import type { CustomerDoc } from '../models/index.ts';
import { staffTenant } from './access.ts';

type CustomerRow = CustomerDoc & { _id: Types.ObjectId };
type Row = Record<string, any> & { _id: Types.ObjectId };

/** Who pushes billing documents: the billing integration's key, or the tenant's administrators. */
const BILLING_WRITERS = [Role.TENANT_ADMIN, Role.INTEGRATOR] as const;
const INVOICE_STATUSES = new Set(['OPEN', 'PAID', 'OVERDUE', 'VOID']);

interface CustomerRef {
  customerId?: string | null;
  externalId?: string | null;
}

/** The customer a push names, in the caller's tenant: another tenant's answers like an unknown one. */
async function billedCustomer(ctx: Context, tenantId: string, ref: CustomerRef): Promise<CustomerRow> {
  const byId = ref.customerId != null && ref.customerId !== '';
  const byExternal = ref.externalId != null && ref.externalId !== '';
  if (byId === byExternal) throw badInput('Name the customer by exactly one of customerId and externalId.', 'customer');
  let id: Types.ObjectId | null = null;
  if (byId) id = isObjectId(ref.customerId) ? new Types.ObjectId(ref.customerId!) : null;
  else {
    const link = await ctx.models.CustomerExternalId.findById(`${tenantId}:${String(ref.externalId).trim()}`).lean();
    id = (link?.customerId as Types.ObjectId | undefined) ?? null;
  }
  const customer = id ? await ctx.models.Customer.findOne({ _id: id, tenantId: new Types.ObjectId(tenantId) }).lean<CustomerRow>() : null;
  if (!customer) throw notFound('Customer');
  return customer;
}

const same = (a: unknown, b: unknown) => (a instanceof Date || b instanceof Date ? new Date(a as Date).getTime() === new Date(b as Date).getTime() : String(a ?? '') === String(b ?? ''));

/** What a billing write publishes: given the record as it will stand and what changed (null for a new one). */
type BillingEvents = (record: Row, changed: string[] | null) => ChangeEvent[];

/**
 * Creates or updates one record by its natural key: reads it, writes only what differs, and on a
 * duplicate key (a push of the same key at the same moment) reads again and updates. The change's
 * events go in the same write and are relayed at once.
 */
async function upsertByKey(ctx: Context, model: any, key: Record<string, unknown>, fields: Record<string, unknown>, events: BillingEvents): Promise<{ doc: Row; created: boolean; changed: boolean; before: Row | null }> {
  const relay = ctx.models.services.relay;
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await model.findOne(key).lean();
    if (existing) {
      const changed = Object.keys(fields).filter((k) => !same(existing[k], fields[k]));
      if (!changed.length) return { doc: existing, created: false, changed: false, before: existing };
      const set = Object.fromEntries(changed.map((k) => [k, fields[k]]));
      await model.updateOne({ _id: existing._id }, withEvents({ $set: set }, events({ ...existing, ...set }, changed)));
      await relay?.flush(model, existing._id);
      return { doc: await model.findById(existing._id).lean(), created: false, changed: true, before: existing };
    }
    const _id = (key._id as Types.ObjectId | undefined) ?? new Types.ObjectId();
    try {
      const record = { ...key, ...fields, _id };
      await model.create({ ...record, [PENDING_EVENTS]: events(record, null) });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      continue;
    }
    await relay?.flush(model, _id);
    return { doc: await model.findById(_id).lean(), created: true, changed: true, before: null };
  }
  throw badInput('The record kept changing while it was saved; send it again.');
}

/** An event about one billing record of one customer. */
function billingEvent<T extends EventType>(type: T, record: Row, customerId: Types.ObjectId, tenantId: Types.ObjectId, kind: string, payload: PayloadOf<T>): ChangeEvent {
  const cid = String(customerId);
  return newEvent(type, { tenantId: String(tenantId), entityId: String(record._id), kind, workOrderId: null, customerIds: [cid], internal: false, payload });
}

const invoiceFacts = (r: Row) => ({
  customerId: String(r.customerId),
  number: String(r.number),
  issuedAt: new Date(r.issuedAt).toISOString(),
  dueDate: (r.dueDate as string | null) ?? null,
  amountCents: Number(r.amountCents),
  currency: String(r.currency),
  status: String(r.status),
  hasPdf: !!r.pdfFileId,
  url: (r.url as string | null) ?? null,
});

const paymentFacts = (r: Row) => ({
  customerId: String(r.customerId),
  reference: String(r.reference),
  paidAt: new Date(r.paidAt).toISOString(),
  amountCents: Number(r.amountCents),
  currency: String(r.currency),
  method: (r.method as string | null) ?? null,
});

/** Integrators read billing only with a key that has billing:read (or billing:write); people by their role. */
function mayReadBilling(identity: Identity | null, customerId: string): boolean {
  // A household member sees the account's service and tickets; its bills are for the holder and the property manager.
  if (identity?.role === Role.CUSTOMER) return linkTo(identity, customerId)?.role !== AccountRole.MEMBER;
  if (identity?.role !== Role.INTEGRATOR) return true;
  return hasScope(identity, 'billing:read') || hasScope(identity, 'billing:write');
}

const iso = (d: unknown) => (d ? new Date(d as Date).toISOString() : null);

/** Keyset cursor of a list sorted newest first by a date, then by id. */
const encodeCursor = (at: Date, id: Types.ObjectId) => Buffer.from(`b:${new Date(at).toISOString()}|${String(id)}`).toString('base64url');
function decodeCursor(cursor: string): { at: Date; id: Types.ObjectId } {
  const m = /^b:([^|]+)\|([a-f0-9]{24})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const at = m ? new Date(m[1]!) : null;
  if (!m || !at || Number.isNaN(at.getTime())) throw badInput('The cursor is not valid.', 'after');
  return { at, id: new Types.ObjectId(m[2]!) };
}

async function page(model: any, customer: CustomerRow, dateField: 'issuedAt' | 'paidAt', args: { first?: number | null; after?: string | null }) {
  const { limit } = pageQuery({ first: args.first });
  const filter: Record<string, unknown> = { tenantId: customer.tenantId, customerId: customer._id };
  if (args.after) {
    const { at, id } = decodeCursor(args.after);
    filter.$or = [{ [dateField]: { $lt: at } }, { [dateField]: at, _id: { $lt: id } }];
  }
  const rows: Row[] = await model.find(filter).sort({ [dateField]: -1, _id: -1 }).limit(limit + 1).lean();
  const shown = rows.slice(0, limit);
  return {
    edges: shown.map((node) => ({ cursor: encodeCursor(node[dateField], node._id), node })),
    pageInfo: { hasNextPage: rows.length > limit, endCursor: shown.length ? encodeCursor(shown.at(-1)![dateField], shown.at(-1)!._id) : null },
  };
}

export const billingCustomerFields = {
  billing: (c: CustomerRow, _: unknown, { identity }: Context) => {
    if (identity?.role === Role.CUSTOMER && !mayReadBilling(identity, String(c._id))) throw forbidden('The account\'s bills are for its holder.');
    if (!mayReadBilling(identity, String(c._id))) throw forbidden('This API key lacks the scope billing:read, which billing needs.');
    return c;
  },
};

export const CustomerBilling = {
  balanceCents: async (c: CustomerRow, _: unknown, { loaders }: Context) => (await loaders.billingAccount.load(String(c._id)))?.balanceCents ?? 0,
  currency: async (c: CustomerRow, _: unknown, { loaders }: Context) => (await loaders.billingAccount.load(String(c._id)))?.currency ?? null,
  dueDate: async (c: CustomerRow, _: unknown, { loaders }: Context) => (await loaders.billingAccount.load(String(c._id)))?.dueDate ?? null,
  updatedAt: async (c: CustomerRow, _: unknown, { loaders }: Context) => iso((await loaders.billingAccount.load(String(c._id)))?.updatedAt),
  invoices: (c: CustomerRow, args: { first?: number | null; after?: string | null }, { models }: Context) => page(models.Invoice, c, 'issuedAt', args),
  payments: (c: CustomerRow, args: { first?: number | null; after?: string | null }, { models }: Context) => page(models.Payment, c, 'paidAt', args),
};

export const Invoice = {
  id: (i: Row) => String(i._id),
  issuedAt: (i: Row) => iso(i.issuedAt),
  pdf: async (i: Row, _: unknown, { loaders }: Context) => {
    if (!i.pdfFileId) return null;
    const f = await loaders.billingFile.load(String(i.pdfFileId));
    return f && f.complete ? { id: String(f._id), filename: f.filename, size: f.size, path: `/billing-files/${String(f._id)}` } : null;
  },
};

export const Payment = {
  id: (p: Row) => String(p._id),
  paidAt: (p: Row) => iso(p.paidAt),
};

interface InvoiceInput {
  number: string;
  issuedAt: string;
  dueDate?: string | null;
  amountCents: number;
  currency: string;
  status: string;
  pdfFileId?: string | null;
  url?: string | null;
}

interface PaymentInput {
  reference: string;
  paidAt: string;
  amountCents: number;
  currency: string;
  method?: string | null;
}

export const billingMutations = {
  setBillingBalance: async (_: unknown, { customer: ref, input }: { customer: CustomerRef; input: { balanceCents: number; currency: string; dueDate?: string | null } }, ctx: Context) => {
    const tenantId = staffTenant(ctx.identity, BILLING_WRITERS);
    const customer = await billedCustomer(ctx, tenantId, ref);
    const fields = { tenantId: customer.tenantId, balanceCents: input.balanceCents, currency: checkCurrency(input.currency, 'currency'), dueDate: checkDate(input.dueDate, 'dueDate') };
    await upsertByKey(ctx, ctx.models.BillingAccount, { _id: customer._id }, fields, (r) => [
      billingEvent('billing.balanceChanged', r, customer._id, customer.tenantId, 'balance_changed', { customerId: String(customer._id), balanceCents: Number(r.balanceCents), currency: String(r.currency), dueDate: (r.dueDate as string | null) ?? null }),
    ]);
    ctx.loaders.billingAccount.clear(String(customer._id));
    return customer;
  },

  upsertInvoice: async (_: unknown, { customer: ref, input }: { customer: CustomerRef; input: InvoiceInput }, ctx: Context) => {
    const tenantId = staffTenant(ctx.identity, BILLING_WRITERS);
    const customer = await billedCustomer(ctx, tenantId, ref);
    const number = checkReference(input.number, 'number');
    if (!INVOICE_STATUSES.has(input.status)) throw badInput('Unknown invoice status.', 'status');
    const fields: Record<string, unknown> = {
      issuedAt: checkMoment(input.issuedAt, 'issuedAt'),
      dueDate: checkDate(input.dueDate, 'dueDate'),
      amountCents: input.amountCents,
      currency: checkCurrency(input.currency, 'currency'),
      status: input.status,
      url: checkHttpsUrl(input.url, 'url'),
      pdfFileId: null,
    };
    if (input.pdfFileId != null && input.pdfFileId !== '') {
      // A stored PDF of this tenant that no other invoice has taken: claimed in one conditional
      // write, so of two pushes naming one file at once exactly one gets it.
      const claim = isObjectId(input.pdfFileId)
        ? await ctx.models.BillingFile.updateOne(
            { _id: new Types.ObjectId(input.pdfFileId), tenantId: customer.tenantId, complete: true, $or: [{ customerId: null }, { customerId: customer._id, invoiceNumber: number }] },
            { $set: { customerId: customer._id, invoiceNumber: number } },
          )
        : null;
      if (!claim?.matchedCount) throw badInput('No such uploaded PDF, or it belongs to another invoice: upload it with POST /billing-files first.', 'pdfFileId');
      fields.pdfFileId = new Types.ObjectId(input.pdfFileId!);
    }
    const key = { tenantId: customer.tenantId, customerId: customer._id, number };
    const { doc, created, changed, before } = await upsertByKey(ctx, ctx.models.Invoice, key, fields, (r, changedFields) => [
      changedFields
        ? billingEvent('invoice.updated', r, customer._id, customer.tenantId, 'invoice_updated', { ...invoiceFacts(r), fields: changedFields })
        : billingEvent('invoice.issued', r, customer._id, customer.tenantId, 'invoice_issued', invoiceFacts(r)),
    ]);
    // A PDF the invoice no longer shows is nobody's: removed, so it cannot be fetched any more.
    if (before?.pdfFileId && String(before.pdfFileId) !== String(doc.pdfFileId ?? '')) await discardBillingFile(ctx.models, before.pdfFileId as Types.ObjectId);
    return { created, changed, invoice: doc };
  },

  upsertPayment: async (_: unknown, { customer: ref, input }: { customer: CustomerRef; input: PaymentInput }, ctx: Context) => {
    const tenantId = staffTenant(ctx.identity, BILLING_WRITERS);
    const customer = await billedCustomer(ctx, tenantId, ref);
    const reference = checkReference(input.reference, 'reference');
    if (!(input.amountCents > 0)) throw badInput('A payment is more than zero.', 'amountCents');
    const fields = {
      paidAt: checkMoment(input.paidAt, 'paidAt'),
      amountCents: input.amountCents,
      currency: checkCurrency(input.currency, 'currency'),
      method: checkShortText(input.method, 'method', 40),
    };
    const { doc, created, changed } = await upsertByKey(ctx, ctx.models.Payment, { tenantId: customer.tenantId, customerId: customer._id, reference }, fields, (r, changedFields) => [
      changedFields
        ? billingEvent('payment.updated', r, customer._id, customer.tenantId, 'payment_updated', { ...paymentFacts(r), fields: changedFields })
        : billingEvent('payment.recorded', r, customer._id, customer.tenantId, 'payment_recorded', paymentFacts(r)),
    ]);
    return { created, changed, payment: doc };
  },
};
