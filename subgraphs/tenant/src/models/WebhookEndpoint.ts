import { addPendingEvents } from '@wisp/events';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * Where a tenant wants its events POSTed, signed per Standard Webhooks. The signing secrets are
 * kept (they must be, to sign) but never read by ordinary queries, never logged and never returned
 * after the answer that made them.
 */
const webhookEndpointSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    url: { type: String, required: true },
    description: { type: String, default: null },
    eventTypes: { type: [String], default: [] },
    /** Deliveries may carry internal notes and staff-only fields. */
    includeInternal: { type: Boolean, default: false },
    enabled: { type: Boolean, default: true },
    /**
     * Whether events still make deliveries: false only while the tenant has turned it off. One
     * disabled after sustained failure keeps them (pending, sent when it is enabled again, FAILED
     * after the give-up time), so nothing of the last day is lost to a receiver that was down.
     */
    receiving: { type: Boolean, default: true },
    disabledReason: { type: String, default: null },
    disabledAt: { type: Date, default: null },
    /**
     * The secrets that sign deliveries (`whsec_…`): the current one without an end, and after a
     * rotation the previous one until its overlap ends. Each delivery is signed with every one still valid.
     */
    secrets: { type: [{ _id: false, secret: { type: String, required: true }, createdAt: { type: Date, required: true }, expiresAt: { type: Date, default: null } }], default: [], select: false },
    /** Failed attempts in a row, across its deliveries; 0 after any success. */
    consecutiveFailures: { type: Number, default: 0 },
    /** The first failure after the last success: the start of the failing stretch. */
    failingSince: { type: Date, default: null },
    lastSuccessAt: { type: Date, default: null },
    createdByUid: { type: String, required: true },
    /** The client mutation id that created it (unique per tenant): a retried create makes no second endpoint. */
    createdByMutation: { type: String, required: true },
  },
  { timestamps: true, versionKey: false },
);
webhookEndpointSchema.index({ tenantId: 1, createdByMutation: 1 }, { unique: true });
// The fan-out's question for every batch of events: these tenants' receiving endpoints that want these types.
webhookEndpointSchema.index({ tenantId: 1, receiving: 1, eventTypes: 1, createdAt: 1 });
// The tenant's list, newest first.
webhookEndpointSchema.index({ tenantId: 1, _id: -1 });
// The endpoint's own events (disabled after sustained failure) are saved with the change.
addPendingEvents(webhookEndpointSchema);

export type WebhookEndpointDoc = InferSchemaType<typeof webhookEndpointSchema>;

export function webhookEndpointModel(conn: Connection) {
  return conn.model('WebhookEndpoint', webhookEndpointSchema, 'webhook_endpoints');
}
