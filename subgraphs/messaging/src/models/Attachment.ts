import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/** A file's metadata; its bytes live in AttachmentChunk documents (a document is capped at 16 MB). */
const attachmentSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    workOrderId: { type: Schema.Types.ObjectId, required: true },
    /** Set once a message carries it; files on the ticket itself have none. */
    messageId: Schema.Types.ObjectId,
    /** Attached to an internal note: staff only. */
    internal: { type: Boolean, default: false, required: true },
    uploaderUid: { type: String, required: true },
    filename: { type: String, required: true },
    contentType: { type: String, required: true },
    size: { type: Number, required: true },
    chunks: { type: Number, required: true },
    /** False until every chunk is written, so a half-stored upload is never served. */
    complete: { type: Boolean, default: false, required: true },
  },
  { timestamps: true },
);
// A batch of work orders' files; their ids are unique across tenants, so no tenant prefix.
attachmentSchema.index({ workOrderId: 1, _id: 1 });

const chunkSchema = new Schema(
  {
    attachmentId: { type: Schema.Types.ObjectId, required: true },
    n: { type: Number, required: true },
    data: { type: Buffer, required: true },
  },
  { versionKey: false },
);
chunkSchema.index({ attachmentId: 1, n: 1 }, { unique: true });

export type AttachmentDoc = InferSchemaType<typeof attachmentSchema>;

export function attachmentModels(conn: Connection) {
  return { Attachment: conn.model('Attachment', attachmentSchema), AttachmentChunk: conn.model('AttachmentChunk', chunkSchema) };
}

/** Which message carries a file: the unique id lets exactly one message take it, even concurrently. */
const linkSchema = new Schema(
  {
    messageId: { type: Schema.Types.ObjectId, required: true },
    /** The send that holds the file (tenant, author, clientMutationId): its retries wait for its message instead of failing. */
    sendKey: String,
    /** When the send took it: a hold this old without its message was left by a send that died. */
    at: Date,
  },
  { versionKey: false },
);

export function attachmentLinkModel(conn: Connection) {
  return conn.model('AttachmentLink', linkSchema);
}
