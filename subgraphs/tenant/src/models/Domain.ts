import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * Claims of custom domains. The unique index on `domain` is what keeps a domain with one tenant
 * when two tenants add it at the same moment: the claim is inserted before the tenant is updated,
 * and removed again if that update fails.
 */
const domainSchema = new Schema(
  {
    domain: { type: String, required: true },
    tenantId: { type: Schema.Types.ObjectId, required: true },
  },
  { timestamps: true, versionKey: false },
);
domainSchema.index({ domain: 1 }, { unique: true });

export type DomainDoc = InferSchemaType<typeof domainSchema>;

export function domainModel(conn: Connection) {
  return conn.model('Domain', domainSchema, 'domains');
}
