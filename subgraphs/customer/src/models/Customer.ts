import { addPendingEvents } from '@wisp/events';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

const equipment = new Schema(
  {
    model: { type: String, required: true },
    serial: String,
    mac: String,
    installedAt: Date,
    lastSeenAt: Date,
    signalDbm: Number,
    online: Boolean,
  },
  { _id: false },
);

const installEvent = new Schema(
  {
    at: { type: Date, required: true },
    kind: { type: String, required: true },
    note: String,
    technician: String,
  },
  { _id: false },
);

export const PORTAL_STATUSES = ['NONE', 'INVITED', 'ACTIVE', 'REVOKED'] as const;
export type PortalStatus = (typeof PORTAL_STATUSES)[number];

const portalAccess = new Schema(
  {
    status: { type: String, enum: PORTAL_STATUSES, default: 'NONE', required: true },
    /** The email the login signs in with (self-signup may choose another than the record's). */
    email: String,
    /** False while a self-chosen sign-up email is unconfirmed: it gets no ticket mail until then. */
    emailVerified: Boolean,
    createdAt: Date,
    invitedAt: Date,
    lastLoginAt: Date,
    revokedAt: Date,
    /** Status to return to when access is restored. */
    statusBeforeRevoke: { type: String, enum: PORTAL_STATUSES },
    /** Why the last provisioning attempt failed; cleared by a successful one. */
    lastError: String,
    lastErrorAt: Date,
  },
  { _id: false },
);

const categorySwitches = new Schema({ tickets: Boolean, visits: Boolean, outages: Boolean }, { _id: false });

const notificationSettings = new Schema(
  {
    /** BCP 47 language of what is sent ("en", "es"); absent: English. */
    language: String,
    /** IANA time zone for times in messages and quiet hours; absent: the tenant's. */
    timeZone: String,
    /** Per category, on top of `contactPreferences` (the channel switches); absent means on. */
    email: { type: categorySwitches, default: undefined },
    sms: { type: categorySwitches, default: undefined },
    /** "HH:MM" in the customer's time zone; SMS inside the window waits for its end. */
    quietHours: { type: new Schema({ start: String, end: String }, { _id: false }), default: undefined },
    /** Email waits for the end of quiet hours too. @default false */
    deferEmailInQuietHours: Boolean,
    /** When the customer last replied STOP to a text (cleared by START or opting in again). */
    smsStoppedAt: Date,
  },
  { _id: false },
);

const customerSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    accountNumber: { type: String, required: true },
    /** The integrator's own id of the customer (its mapping is kept in `customer_external_ids`). */
    externalId: String,
    /** The account number upper-cased: self-signup matches it by equality, case-insensitively, without a regular expression. */
    accountNumberKey: String,
    name: { type: String, required: true },
    email: { type: String, lowercase: true, trim: true },
    phone: String,
    serviceAddress: String,
    site: String,
    sector: String,
    serviceStatus: { type: String, enum: ['PENDING', 'ACTIVE', 'SUSPENDED', 'CANCELLED'], default: 'PENDING', required: true },
    plan: {
      type: new Schema({ name: String, downMbps: Number, upMbps: Number, priceCents: Number }, { _id: false }),
      default: undefined,
    },
    equipment: { type: [equipment], default: [] },
    /** The Firebase user that signs in as this customer, once provisioned. */
    portalUid: String,
    /** Which messages the customer wants besides service-critical ones. */
    contactPreferences: {
      type: new Schema({ email: { type: Boolean, default: true }, sms: { type: Boolean, default: false } }, { _id: false }),
      default: undefined,
    },
    /** What the customer hears about, in which language and when (see notifications/preferences.ts). */
    notificationSettings: { type: notificationSettings, default: undefined },
    /** The phone's last ten digits: how an SMS reply (STOP, START) finds its customers. */
    phoneKey: String,
    installHistory: { type: [installEvent], default: [] },
    /** The portal login's state; absent until the first provisioning attempt. */
    portal: { type: portalAccess, default: undefined },
    /** When someone was last linked to or unlinked from the account (household members, property managers). */
    householdChangedAt: Date,
  },
  { timestamps: true },
);
customerSchema.index({ tenantId: 1, accountNumber: 1 }, { unique: true });
customerSchema.index({ tenantId: 1, accountNumberKey: 1 });
// Each change carries its events in the same write (see @wisp/events).
addPendingEvents(customerSchema);

/** The form of an account number that matching compares. */
export const accountNumberKey = (accountNumber: string) => accountNumber.trim().toUpperCase();

/** The form of a phone number that SMS replies are matched by: its last ten digits (null when too short). */
export const phoneKey = (phone: string | null | undefined): string | null => {
  const digits = (phone ?? '').replace(/\D/g, '');
  return digits.length >= 7 ? digits.slice(-10) : null;
};

// Every write path that sets the account number or phone sets its key too, so no caller can forget it.
customerSchema.pre('validate', function () {
  if (typeof this.accountNumber === 'string') this.accountNumberKey = accountNumberKey(this.accountNumber);
  if (this.isModified('phone')) this.phoneKey = phoneKey(this.phone) ?? undefined;
});
customerSchema.pre(['updateOne', 'updateMany', 'findOneAndUpdate'], function () {
  const update = this.getUpdate() as { $set?: { accountNumber?: unknown; phone?: unknown }; accountNumber?: unknown; phone?: unknown } | null;
  const value = update?.$set?.accountNumber ?? update?.accountNumber;
  if (typeof value === 'string') this.set('accountNumberKey', accountNumberKey(value));
  const phone = update?.$set && 'phone' in update.$set ? update.$set.phone : update?.phone;
  if (phone !== undefined) this.set('phoneKey', typeof phone === 'string' ? phoneKey(phone) : null);
});
customerSchema.index({ tenantId: 1, phoneKey: 1 });
customerSchema.index({ tenantId: 1, site: 1 });
// The staff customer list, newest first.
customerSchema.index({ tenantId: 1, _id: -1 });
customerSchema.index({ tenantId: 1, email: 1 });
// Staff search runs anchored prefix matches on these.
customerSchema.index({ tenantId: 1, name: 1 });
customerSchema.index({ tenantId: 1, phone: 1 });

export type CustomerDoc = InferSchemaType<typeof customerSchema>;

export function customerModel(conn: Connection) {
  return conn.model('Customer', customerSchema);
}
