import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * Remembers what a client mutation id created (`_id` is `<tenantId>:<kind>:<clientMutationId>`),
 * so a retried create returns the first result instead of a second record.
 */
const receiptSchema = new Schema(
  {
    _id: { type: String, required: true },
    resultId: { type: String, required: true },
  },
  { timestamps: true, versionKey: false },
);

export type MutationReceiptDoc = InferSchemaType<typeof receiptSchema>;

export function mutationReceiptModel(conn: Connection) {
  return conn.model('MutationReceipt', receiptSchema, 'mutation_receipts');
}
