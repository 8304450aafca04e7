import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * An uploaded logo or favicon (at most 1 MB, so it fits in one document). Served at
 * `/assets/<sha256>.<ext>`: the name is the content's hash, so a URL always means the same bytes
 * and can be cached for ever. Identical bytes uploaded twice are stored once.
 */
const assetSchema = new Schema(
  {
    sha256: { type: String, required: true },
    ext: { type: String, required: true },
    contentType: { type: String, required: true },
    size: { type: Number, required: true },
    data: { type: Buffer, required: true },
    /** The tenant and login that first uploaded these bytes. */
    tenantId: { type: Schema.Types.ObjectId, required: true },
    uploadedBy: { type: String, required: true },
  },
  { timestamps: true, versionKey: false },
);
assetSchema.index({ sha256: 1 }, { unique: true });

export type AssetDoc = InferSchemaType<typeof assetSchema>;

export function assetModel(conn: Connection) {
  return conn.model('Asset', assetSchema, 'assets');
}
