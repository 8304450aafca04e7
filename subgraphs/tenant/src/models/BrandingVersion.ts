import { Schema, type Connection, type InferSchemaType } from 'mongoose';

const change = new Schema(
  {
    field: { type: String, required: true },
    /** Old and new values as JSON text (null when the field was unset). */
    from: { type: String, default: null },
    to: { type: String, default: null },
  },
  { _id: false },
);

/**
 * One version of a tenant's branding: the full snapshot plus who changed what. History is only
 * appended to; a restore writes a new version. The unique (tenantId, version) key is what lets
 * concurrent saves take distinct numbers without a transaction.
 */
const brandingVersionSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true },
    action: { type: String, enum: ['CREATE', 'UPDATE', 'RESTORE'], required: true },
    restoredFromVersion: Number,
    actorUid: { type: String, required: true },
    actorRole: { type: String, required: true },
    at: { type: Date, required: true },
    changes: { type: [change], default: [] },
    branding: { type: Schema.Types.Mixed, required: true },
  },
  { versionKey: false, minimize: false },
);
brandingVersionSchema.index({ tenantId: 1, version: 1 }, { unique: true });

export type BrandingVersionDoc = InferSchemaType<typeof brandingVersionSchema>;

export function brandingVersionModel(conn: Connection) {
  return conn.model('BrandingVersion', brandingVersionSchema, 'brandingversions');
}
