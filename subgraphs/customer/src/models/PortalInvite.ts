import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * A one-time code that lets a customer create their own login. Only the code's SHA-256 is stored
 * (`_id`); the code itself is shown once to the staff member who made it.
 */
const inviteSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    customerId: { type: String, required: true },
    createdBy: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: Date,
  },
  { timestamps: true, versionKey: false },
);
inviteSchema.index({ expiresAt: 1 });

export type PortalInviteDoc = InferSchemaType<typeof inviteSchema>;

export function portalInviteModel(conn: Connection) {
  return conn.model('PortalInvite', inviteSchema, 'portal_invites');
}
