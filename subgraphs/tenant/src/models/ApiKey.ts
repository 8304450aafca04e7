import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * An integrator's API key. Only a digest of its secret is kept: the key itself is shown once, when
 * it is created. Its id is the public part of the key (`wisp_live_<id>_…`).
 */
const apiKeySchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    scopes: { type: [String], default: [] },
    secretHash: { type: String, required: true, select: false },
    expiresAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
    createdByUid: { type: String, required: true },
    /** The client mutation id that created it (unique per tenant): a retried create makes no second key. */
    createdByMutation: { type: String, required: true },
    /** Set on a key that was rotated: the key that replaces it. */
    replacedBy: { type: Schema.Types.ObjectId, default: null },
    lastUsedAt: { type: Date, default: null },
    lastUsedAddress: { type: String, default: null },
  },
  { timestamps: true, versionKey: false },
);
apiKeySchema.index({ tenantId: 1, createdByMutation: 1 }, { unique: true });
apiKeySchema.index({ tenantId: 1, _id: -1 });

export type ApiKeyDoc = InferSchemaType<typeof apiKeySchema>;

export function apiKeyModel(conn: Connection) {
  return conn.model('ApiKey', apiKeySchema, 'api_keys');
}
