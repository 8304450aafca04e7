import { addPendingEvents } from '@wisp/events';
import { Schema, type Connection, type InferSchemaType } from 'mongoose';

const colors = new Schema(
  {
    primary: { type: String, required: true },
    secondary: { type: String, required: true },
    accent: { type: String, required: true },
    background: { type: String, required: true },
    text: { type: String, required: true },
  },
  { _id: false },
);

const faqEntry = new Schema(
  {
    question: { type: String, required: true },
    answer: { type: String, required: true },
  },
  { _id: false },
);

const branding = new Schema(
  {
    companyName: { type: String, required: true },
    displayName: { type: String, required: true },
    logoUrl: String,
    logoAlt: { type: String, default: '' },
    faviconUrl: String,
    colors: { type: colors, required: true },
    supportEmail: String,
    supportPhone: String,
    supportHours: String,
    website: String,
    /** The billing system's payment page behind the portal's Pay link (https). */
    paymentPageUrl: String,
    welcomeMessage: String,
    footerText: String,
    /** Already reduced to the safe subset by the CSS sanitiser before it is stored. */
    customCss: String,
    /** Support page questions in display order; answers are limited Markdown. */
    faq: { type: [faqEntry], default: [] },
    /** The support page's contact block, limited Markdown. */
    contact: String,
    // What the WISP's notifications to customers go out as (published to the customer subgraph).
    /** IANA time zone times in messages are written in. */
    timeZone: String,
    /** Language of messages to customers who chose none. */
    defaultLanguage: String,
    /** Languages the portal offers (codes); absent or empty: every supported language. */
    portalLanguages: { type: [String], default: undefined },
    /** Display name and address of the WISP's email sender (the platform's when absent). */
    mailFromName: String,
    mailFromAddress: String,
    /** An E.164 number or an alphanumeric sender id. */
    smsSenderId: String,
  },
  { _id: false },
);

const tenantSchema = new Schema(
  {
    slug: { type: String, required: true, unique: true, match: /^[a-z][a-z0-9-]{1,30}$/ },
    name: { type: String, required: true },
    status: { type: String, enum: ['ACTIVE', 'SUSPENDED'], default: 'ACTIVE', required: true },
    domains: { type: [String], default: [] },
    /** The Firebase Auth tenant holding this WISP's logins (one email can be a login at several WISPs). */
    firebaseTenantId: String,
    branding: { type: branding, required: true },
    /** Number of the branding version in `branding`; each change takes the next one (see BrandingVersion). */
    brandingVersion: { type: Number, default: 0 },
    /** The client mutation id that created the tenant, so a retried create returns the same tenant. */
    createdByMutation: String,
    /** Whom to invite as the first administrator (announced with tenant.created). */
    firstAdminEmail: String,
  },
  { timestamps: true },
);
tenantSchema.index({ domains: 1 });
// Each change carries its events in the same write (see @wisp/events).
addPendingEvents(tenantSchema);

export type TenantDoc = InferSchemaType<typeof tenantSchema>;

export function tenantModel(conn: Connection) {
  return conn.model('Tenant', tenantSchema);
}
