import { addPendingEvents } from '@wisp/events';
import { Schema, Types, type Connection, type InferSchemaType } from 'mongoose';

const messageSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    workOrderId: { type: Schema.Types.ObjectId, required: true },
    body: { type: String, required: true },
    authorKind: { type: String, enum: ['CUSTOMER', 'AGENT', 'SYSTEM'], required: true },
    authorUid: String,
    authorCustomerId: Schema.Types.ObjectId,
    authorName: { type: String, required: true },
    internal: { type: Boolean, default: false, required: true },
    attachmentIds: { type: [Schema.Types.ObjectId], default: [] },
    /**
     * The sender's idempotency key: a retried send returns the first message instead of a copy.
     * Messages sent without one get a unique value, so the unique index needs no partial filter
     * (which the embedded database does not support).
     */
    clientMutationId: { type: String, required: true, default: () => new Types.ObjectId().toHexString() },
  },
  { timestamps: true },
);
// The events of each change are saved with it (see @wisp/events publishing).
addPendingEvents(messageSchema);
messageSchema.index({ tenantId: 1, workOrderId: 1, _id: 1 });
messageSchema.index({ tenantId: 1, authorUid: 1, clientMutationId: 1 }, { unique: true });

export type MessageDoc = InferSchemaType<typeof messageSchema>;

export function messageModel(conn: Connection) {
  return conn.model('Message', messageSchema);
}
