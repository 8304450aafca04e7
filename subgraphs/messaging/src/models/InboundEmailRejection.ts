import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * A reply by email that was refused, and why: for the operator who wonders where a customer's
 * answer went. Only what the envelope and headers say, never the message's body or files.
 */
const inboundEmailRejectionSchema = new Schema(
  {
    at: { type: Date, required: true },
    /** A short code such as `forged-token`, `wrong-sender` or `attachment-not-allowed` (the HTTP answer's `reason`). */
    reason: { type: String, required: true },
    /** What it was about, where that helps (the refused file's name and why). */
    detail: String,
    from: String,
    subject: String,
    messageId: String,
    /** The ticket and customer its reply address named, once the address checked out. */
    tenantId: Schema.Types.ObjectId,
    workOrderId: Schema.Types.ObjectId,
    customerId: Schema.Types.ObjectId,
  },
  { versionKey: false },
);
// Whoever looks into refusals reads the newest first.
inboundEmailRejectionSchema.index({ at: -1 });

export type InboundEmailRejectionDoc = InferSchemaType<typeof inboundEmailRejectionSchema>;

export function inboundEmailRejectionModel(conn: Connection) {
  return conn.model('InboundEmailRejection', inboundEmailRejectionSchema, 'inbound_email_rejections');
}
