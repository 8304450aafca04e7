import { Schema, type Connection } from 'mongoose';

/**
 * A login's TOTP second factor. The secret is stored encrypted (see totpSecret.ts); `lastStep`
 * is the time step of the last accepted code, so a code is accepted once only.
 */
const secondFactorSchema = new Schema(
  {
    /** `<tenantId>:<uid>` */
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    uid: { type: String, required: true },
    secret: { type: String, required: true },
    /** Null until the holder proves their app shows the right codes. */
    confirmedAt: { type: Date, default: null },
    lastStep: { type: Number, default: -1 },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);

/** A sign-in session that passed the second factor: the portal sends the token with each request. */
const secondFactorSessionSchema = new Schema(
  {
    /** SHA-256 of the token. */
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    uid: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
secondFactorSessionSchema.index({ uid: 1 });

/** A tenant's account-security settings. */
const securityPolicySchema = new Schema(
  {
    /** The tenant id. */
    _id: { type: String, required: true },
    staffSecondFactorRequired: { type: Boolean, default: false },
  },
  { versionKey: false },
);

/** A link that confirms a self-chosen sign-up email; only its hash is kept. */
const emailVerificationSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    customerId: { type: String, required: true },
    email: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
  },
  { versionKey: false },
);

/** Browsers a login has signed in from (a hash of the user agent), so a new one can be mailed about. */
const knownDeviceSchema = new Schema(
  {
    /** `<uid>:<sha256(user agent)>` */
    _id: { type: String, required: true },
    uid: { type: String, required: true },
    firstSeenAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export function accountSecurityModels(conn: Connection) {
  return {
    SecondFactor: conn.model('SecondFactor', secondFactorSchema, 'second_factors'),
    SecondFactorSession: conn.model('SecondFactorSession', secondFactorSessionSchema, 'second_factor_sessions'),
    SecurityPolicy: conn.model('SecurityPolicy', securityPolicySchema, 'security_policies'),
    EmailVerification: conn.model('EmailVerification', emailVerificationSchema, 'email_verifications'),
    KnownDevice: conn.model('KnownDevice', knownDeviceSchema, 'known_devices'),
  };
}
