import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/** One provisioning or access action: who did what to which customer's login, when, and how it went. */
const auditSchema = new Schema(
  {
    tenantId: { type: String, required: true },
    customerId: { type: String, required: true },
    /** Firebase uid of the person acting; "system" for background provisioning, the new uid for self-signup. */
    actorUid: { type: String, required: true },
    actorRole: { type: String, required: true },
    action: { type: String, required: true },
    outcome: { type: String, enum: ['SUCCESS', 'FAILURE'], required: true },
    detail: String,
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
auditSchema.index({ tenantId: 1, _id: -1 });
auditSchema.index({ tenantId: 1, customerId: 1, _id: -1 });

export type AuditEntryDoc = InferSchemaType<typeof auditSchema>;

export function auditEntryModel(conn: Connection) {
  return conn.model('AuditEntry', auditSchema, 'portal_audit');
}
