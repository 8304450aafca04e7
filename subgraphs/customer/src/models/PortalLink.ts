import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * The one-to-one link between a Firebase user and a customer record. `_id` is the customer id and
 * `uid` is unique, so a record has at most one login and a login belongs to at most one record,
 * whichever path (provisioning, self-signup, a retry) gets there first.
 */
const portalLinkSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    uid: { type: String, required: true },
  },
  { timestamps: true, versionKey: false },
);
portalLinkSchema.index({ uid: 1 }, { unique: true });

export type PortalLinkDoc = InferSchemaType<typeof portalLinkSchema>;

export function portalLinkModel(conn: Connection) {
  return conn.model('PortalLink', portalLinkSchema, 'portal_links');
}
