import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * A login's access to a customer account beyond its holder's own: a household member the holder
 * invited, or a property manager staff linked. `_id` is `<customerId>:<uid>`, so a login is
 * linked to an account at most once whichever request gets there first. The holder's own login is
 * the account's portal link (PortalLink), not a row here.
 */
const accountLinkSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    customerId: { type: String, required: true },
    uid: { type: String, required: true },
    role: { type: String, enum: ['MEMBER', 'MANAGER'], required: true },
    /** The login's email when linked, for the holder's and staff's lists. */
    email: { type: String, required: true },
    name: { type: String, default: null },
    /** Who linked it: the holder's or a staff member's uid. */
    linkedBy: { type: String, required: true },
    /** The login's last sign-in while linked. */
    lastSignInAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false },
);
// The gateway asks for a login's accounts on every sign-in check; the holder lists their household.
accountLinkSchema.index({ uid: 1, tenantId: 1, createdAt: 1, _id: 1 });
accountLinkSchema.index({ customerId: 1, createdAt: 1 });

export type AccountLinkDoc = InferSchemaType<typeof accountLinkSchema>;

export const accountLinkId = (customerId: string, uid: string) => `${customerId}:${uid}`;

export function accountLinkModel(conn: Connection) {
  return conn.model('AccountLink', accountLinkSchema, 'account_links');
}
