import { addPendingEvents } from '@wisp/events';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * A customer's account as the WISP's billing system last reported it: `_id` is the customer's id,
 * so each customer has one and a second push replaces the first.
 */
const billingAccountSchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
    /** What the customer owes, in the currency's minor unit (negative: a credit). */
    balanceCents: { type: Number, required: true },
    /** ISO 4217 code, e.g. USD. */
    currency: { type: String, required: true },
    /** Calendar date (YYYY-MM-DD) the balance is due; the billing system's date, no time zone. */
    dueDate: { type: String, default: null },
  },
  { timestamps: true, versionKey: false },
);

/** An invoice: the billing system's number is its natural key, per customer. */
const invoiceSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    number: { type: String, required: true },
    issuedAt: { type: Date, required: true },
    dueDate: { type: String, default: null },
    amountCents: { type: Number, required: true },
    currency: { type: String, required: true },
    status: { type: String, required: true },
    /** A PDF stored here (BillingFile). */
    pdfFileId: { type: Schema.Types.ObjectId, default: null },
    /** Or the invoice on the billing system's own site (https). */
    url: { type: String, default: null },
  },
  { timestamps: true, versionKey: false },
);
// The natural key: pushing the same number again finds this one (and two pushes at once make one).
invoiceSchema.index({ tenantId: 1, customerId: 1, number: 1 }, { unique: true });
// The customer's invoices, newest first.
invoiceSchema.index({ tenantId: 1, customerId: 1, issuedAt: -1, _id: -1 });

/** A payment the billing system received; its own reference is the natural key, per customer. */
const paymentSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    reference: { type: String, required: true },
    paidAt: { type: Date, required: true },
    amountCents: { type: Number, required: true },
    currency: { type: String, required: true },
    /** How it was paid, as the billing system words it (card, bank transfer, cash). */
    method: { type: String, default: null },
  },
  { timestamps: true, versionKey: false },
);
paymentSchema.index({ tenantId: 1, customerId: 1, reference: 1 }, { unique: true });
paymentSchema.index({ tenantId: 1, customerId: 1, paidAt: -1, _id: -1 });

/** An invoice PDF's metadata; its bytes live in BillingFileChunk documents. */
const billingFileSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    uploaderUid: { type: String, required: true },
    /** Set when an invoice takes the file: whose it is from then on, and which invoice of theirs. */
    customerId: { type: Schema.Types.ObjectId, default: null },
    invoiceNumber: { type: String, default: null },
    filename: { type: String, required: true },
    contentType: { type: String, required: true },
    size: { type: Number, required: true },
    chunks: { type: Number, required: true },
    /** False until every chunk is written, so a half-stored file is never served. */
    complete: { type: Boolean, default: false, required: true },
  },
  { timestamps: true, versionKey: false },
);

const billingFileChunkSchema = new Schema(
  {
    fileId: { type: Schema.Types.ObjectId, required: true },
    n: { type: Number, required: true },
    data: { type: Buffer, required: true },
  },
  { versionKey: false },
);
billingFileChunkSchema.index({ fileId: 1, n: 1 }, { unique: true });

// Each change carries its events in the same write (see @wisp/events).
for (const schema of [billingAccountSchema, invoiceSchema, paymentSchema]) addPendingEvents(schema);

export type BillingAccountDoc = InferSchemaType<typeof billingAccountSchema>;
export type InvoiceDoc = InferSchemaType<typeof invoiceSchema>;
export type PaymentDoc = InferSchemaType<typeof paymentSchema>;

export function billingModels(conn: Connection) {
  return {
    BillingAccount: conn.model('BillingAccount', billingAccountSchema, 'billing_accounts'),
    Invoice: conn.model('Invoice', invoiceSchema, 'invoices'),
    Payment: conn.model('Payment', paymentSchema, 'payments'),
    BillingFile: conn.model('BillingFile', billingFileSchema, 'billing_files'),
    BillingFileChunk: conn.model('BillingFileChunk', billingFileChunkSchema, 'billing_file_chunks'),
  };
}
