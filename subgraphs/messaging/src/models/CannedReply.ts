import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/** A reply a WISP's agents insert into a conversation instead of typing it again. */
const cannedReplySchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    title: { type: String, required: true },
    /** The title folded for uniqueness and ordering: "Reboot steps" and "reboot  STEPS" are one. */
    titleKey: { type: String, required: true },
    body: { type: String, required: true },
    updatedByName: String,
  },
  { timestamps: true, versionKey: false },
);
cannedReplySchema.index({ tenantId: 1, titleKey: 1 }, { unique: true });

export type CannedReplyDoc = InferSchemaType<typeof cannedReplySchema>;

export function cannedReplyModel(conn: Connection) {
  return conn.model('CannedReply', cannedReplySchema);
}
