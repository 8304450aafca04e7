import { addPendingEvents } from '@wisp/events';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

const callbackRequestSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
    workOrderId: Schema.Types.ObjectId,
    preferredTime: { type: Date, required: true },
    phone: String,
    note: String,
    status: { type: String, enum: ['REQUESTED', 'DONE'], default: 'REQUESTED', required: true },
    createdByUid: { type: String, required: true },
    /** A retried request returns the first one. */
    clientMutationId: { type: String, required: true },
  },
  { timestamps: true },
);
// The events of each change are saved with it (see @wisp/events publishing).
addPendingEvents(callbackRequestSchema);
callbackRequestSchema.index({ tenantId: 1, createdByUid: 1, clientMutationId: 1 }, { unique: true });
callbackRequestSchema.index({ tenantId: 1, status: 1, _id: -1 });
// A ticket's call-backs, shown on the ticket.
callbackRequestSchema.index({ tenantId: 1, workOrderId: 1, _id: -1 });

export type CallbackRequestDoc = InferSchemaType<typeof callbackRequestSchema>;

export function callbackRequestModel(conn: Connection) {
  return conn.model('CallbackRequest', callbackRequestSchema);
}
