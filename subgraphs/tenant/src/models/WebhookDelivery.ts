import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * One event for one endpoint: made once per (endpoint, event) by the fan-out, then POSTed by the
 * sender until the receiver answers 2xx or the delivery is given up. `body` is the exact JSON
 * sent, so every retry (and replay) carries the same bytes under the same `webhook-id`.
 */
const webhookDeliverySchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    endpointId: { type: Schema.Types.ObjectId, required: true },
    eventId: { type: String, required: true },
    eventType: { type: String, required: true },
    /** `Entity:id` of what the event is about: deliveries of one entity to one endpoint go in order. */
    entityKey: { type: String, required: true },
    /** The event's position in the log (0 for test deliveries): the order within an entity. */
    seq: { type: Number, required: true },
    /** When the event happened (its log time): the start of the event-to-delivery latency. */
    eventAt: { type: Date, required: true },
    body: { type: String, required: true },
    status: { type: String, enum: ['PENDING', 'DELIVERED', 'FAILED'], default: 'PENDING', required: true },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, default: () => new Date() },
    /** While a sender holds it: taken by an atomic conditional update, so one sender at a time. */
    leaseUntil: { type: Date, default: () => new Date(0) },
    leaseOwner: { type: String, default: null },
    lastStatusCode: { type: Number, default: null },
    lastLatencyMs: { type: Number, default: null },
    lastError: { type: String, default: null },
    responseExcerpt: { type: String, default: null },
    deliveredAt: { type: Date, default: null },
    /** Set by a replay: the delivery is sent again from its first attempt. */
    replayedAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false },
);
// The fan-out makes each delivery once, however often it sees the event.
webhookDeliverySchema.index({ endpointId: 1, eventId: 1 }, { unique: true });
// The sender's question: what is due now.
webhookDeliverySchema.index({ status: 1, nextAttemptAt: 1, leaseUntil: 1 });
// In order per entity: is an earlier delivery of this entity to this endpoint still pending?
webhookDeliverySchema.index({ endpointId: 1, entityKey: 1, status: 1, seq: 1 });
// An endpoint's deliveries, newest first; its pending ones (enabled again, removed); a replay since a time.
webhookDeliverySchema.index({ endpointId: 1, _id: -1 });
webhookDeliverySchema.index({ endpointId: 1, status: 1 });
webhookDeliverySchema.index({ endpointId: 1, createdAt: 1 });

export type WebhookDeliveryDoc = InferSchemaType<typeof webhookDeliverySchema>;

export function webhookDeliveryModel(conn: Connection) {
  return conn.model('WebhookDelivery', webhookDeliverySchema, 'webhook_deliveries');
}
