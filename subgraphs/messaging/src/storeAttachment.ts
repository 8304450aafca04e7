import { Types } from 'mongoose';
import type { Models } from './models/index.ts';
import { CHUNK_BYTES, MAX_ATTACHMENT_BYTES, sniffContentType } from './sniff.ts';

/** Most files one message carries. @default 10 */
export const MAX_ATTACHMENTS_PER_MESSAGE = 10;

const EXTENSIONS: Record<string, string> = { 'image/png': '.png', 'image/jpeg': '.jpg', 'image/gif': '.gif', 'image/webp': '.webp', 'application/pdf': '.pdf' };

const safeFilename = (name: string | null | undefined) => {
  const cleaned = (name ?? '').replace(/[^\w .()-]/g, '_').trim().slice(0, 120);
  return cleaned || 'attachment';
};

/** Why a file is not accepted. */
export type AttachmentRefusal = 'empty' | 'too-large' | 'type';

/** A file that passed the rules, with the type its first bytes show and the name it will be stored under. */
export interface CheckedAttachment {
  data: Buffer;
  contentType: string;
  filename: string;
}

/**
 * The rules every file on a ticket meets, whichever way it arrives (a portal upload, an email):
 * not empty, at most {@link MAX_ATTACHMENT_BYTES}, an image or PDF by its content (never by name
 * or declared type), stored under a cleaned name ending in the extension of what it is.
 */
export function checkAttachment(data: Buffer, filename: string | null | undefined): { ok: true; file: CheckedAttachment } | { ok: false; reason: AttachmentRefusal } {
  if (data.length === 0) return { ok: false, reason: 'empty' };
  if (data.length > MAX_ATTACHMENT_BYTES) return { ok: false, reason: 'too-large' };
  const contentType = sniffContentType(data.subarray(0, 16));
  if (!contentType) return { ok: false, reason: 'type' };
  let name = safeFilename(filename);
  if (!name.toLowerCase().endsWith(EXTENSIONS[contentType]!)) name += EXTENSIONS[contentType]!;
  return { ok: true, file: { data, contentType, filename: name } };
}

/** Who a stored file belongs to. */
export interface AttachmentOwner {
  tenantId: Types.ObjectId;
  workOrderId: Types.ObjectId;
  uploaderUid: string;
  /** Staff-only until a public message carries it. */
  internal: boolean;
}

/** A stored file, as the upload route answers it. */
export interface StoredAttachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
}

/**
 * Stores a checked file on a work order, not yet on any message (a send attaches it). Its chunks
 * are written before it is marked complete, so a half-stored file is never served, and a failure
 * leaves nothing behind.
 */
export async function storeAttachment(models: Pick<Models, 'Attachment' | 'AttachmentChunk'>, owner: AttachmentOwner, file: CheckedAttachment): Promise<StoredAttachment> {
  const { Attachment, AttachmentChunk } = models;
  const { data, contentType, filename } = file;
  const chunks = Math.ceil(data.length / CHUNK_BYTES);
  const doc = await Attachment.create({ ...owner, filename, contentType, size: data.length, chunks, complete: false });
  try {
    for (let n = 0; n < chunks; n++) {
      await AttachmentChunk.create({ attachmentId: doc._id, n, data: data.subarray(n * CHUNK_BYTES, (n + 1) * CHUNK_BYTES) });
    }
    await Attachment.updateOne({ _id: doc._id }, { $set: { complete: true } });
  } catch (err) {
    await discardAttachments(models, [String(doc._id)]).catch(() => undefined);
    throw err;
  }
  return { id: String(doc._id), filename, contentType, size: data.length };
}

/** Removes stored files no message carries (a send that was refused or turned out to be a repeat). */
export async function discardAttachments(models: Pick<Models, 'Attachment' | 'AttachmentChunk'>, ids: string[]): Promise<void> {
  if (!ids.length) return;
  // Never a file a message has taken since.
  const loose = await models.Attachment.find({ _id: { $in: ids.map((id) => new Types.ObjectId(id)) }, messageId: { $exists: false } }, { _id: 1 }).lean();
  const objectIds = loose.map((a) => a._id);
  if (!objectIds.length) return;
  await models.Attachment.deleteMany({ _id: { $in: objectIds }, messageId: { $exists: false } });
  await models.AttachmentChunk.deleteMany({ attachmentId: { $in: objectIds } });
}
