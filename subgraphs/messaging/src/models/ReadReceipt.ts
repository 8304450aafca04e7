import { addPendingEvents } from '@wisp/events';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/** How far one reader has read one conversation: everything created up to `readAt`. */
const readReceiptSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    workOrderId: { type: Schema.Types.ObjectId, required: true },
    readerUid: { type: String, required: true },
    readerKind: { type: String, enum: ['CUSTOMER', 'STAFF'], required: true },
    readAt: { type: Date, required: true },
    /** How many messages by others the conversation held for this reader when they read it (unread = now − this). */
    seenOthers: { type: Number, default: 0 },
  },
  { versionKey: false },
);
// The events of each change are saved with it (see @wisp/events publishing).
addPendingEvents(readReceiptSchema);
readReceiptSchema.index({ workOrderId: 1, readerUid: 1 }, { unique: true });

export type ReadReceiptDoc = InferSchemaType<typeof readReceiptSchema>;

export function readReceiptModel(conn: Connection) {
  return conn.model('ReadReceipt', readReceiptSchema);
}
