import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLarge, type Identity, isObjectId, type Logger, readBodyLimited, Role, sendError, verifyIdentityHeaders } from '@wisp/shared';
import { Types } from 'mongoose';
import type { Models } from './models/index.ts';
import { canReadWorkOrder, canSeeWorkOrder, seesInternalNotes } from './resolvers/access.ts';
import type { Services } from './services.ts';
import { MAX_ATTACHMENT_BYTES } from './sniff.ts';
import { checkAttachment, storeAttachment } from './storeAttachment.ts';

/**
 * `POST /attachments?workOrderId=…&filename=…` (raw bytes) and `GET /attachments/<id>`, reached only
 * through the gateway with a signed identity. Uploads are typed by their first bytes; downloads go
 * to whoever may see the ticket (internal-note files to staff only).
 */
export function attachmentRoutes({ models, services, identitySecret, log }: { models: Models; services: Services; identitySecret: string; log: Logger }) {
  const { Attachment, AttachmentChunk } = models;

  async function upload(identity: Identity, req: IncomingMessage, res: ServerResponse, url: URL) {
    const workOrderId = url.searchParams.get('workOrderId');
    const [wo] = isObjectId(workOrderId) ? await services.workOrders.many([workOrderId]) : [];
    if (!canSeeWorkOrder(identity, wo)) return sendError(res, 404, 'NOT_FOUND', 'Work order not found.');
    if (identity.role === Role.CUSTOMER && String(wo.reporterCustomerId) !== identity.customerId) {
      return sendError(res, 403, 'FORBIDDEN', 'Only the customer who opened a ticket may add files to it.');
    }
    if (identity.role === Role.PLATFORM_OPERATOR) return sendError(res, 403, 'FORBIDDEN', 'Platform operators do not add files to tickets.');
    let data: Buffer;
    try {
      data = await readBodyLimited(req, MAX_ATTACHMENT_BYTES);
    } catch (err) {
      if (err instanceof BodyTooLarge) return sendError(res, 413, 'BAD_USER_INPUT', 'Files may be at most 10 MB.');
      throw err;
    }
    const checked = checkAttachment(data, url.searchParams.get('filename'));
    if (!checked.ok) {
      if (checked.reason === 'empty') return sendError(res, 400, 'BAD_USER_INPUT', 'The file is empty.');
      if (checked.reason === 'too-large') return sendError(res, 413, 'BAD_USER_INPUT', 'Files may be at most 10 MB.');
      return sendError(res, 415, 'BAD_USER_INPUT', 'Only images (PNG, JPEG, GIF, WebP) and PDF files can be attached.');
    }
    // A staff file stays staff-only until a public message carries it (it may be meant for an internal note).
    const stored = await storeAttachment(models, { tenantId: wo.tenantId, workOrderId: wo._id, uploaderUid: identity.uid, internal: seesInternalNotes(identity) }, checked.file);
    const { id, filename, contentType, size } = stored;
    log.info('attachment stored', { id, size, contentType });
    res.writeHead(201, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ id, filename, contentType, size, url: `/attachments/${id}` }));
  }

  async function download(identity: Identity, id: string, res: ServerResponse) {
    const a = isObjectId(id) ? await Attachment.findOne({ _id: new Types.ObjectId(id), complete: true }).lean() : null;
    const [wo] = a ? await services.workOrders.many([String(a.workOrderId)]) : [];
    // Unknown, another tenant's, a ticket the caller cannot see, or an internal note's file: all alike.
    if (!a || !canReadWorkOrder(identity, wo) || (a.internal && !seesInternalNotes(identity))) {
      return sendError(res, 404, 'NOT_FOUND', 'Attachment not found.');
    }
    res.writeHead(200, {
      'content-type': a.contentType,
      'content-length': String(a.size),
      'content-disposition': `${a.contentType === 'application/pdf' ? 'attachment' : 'inline'}; filename="${a.filename}"`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'private, no-store',
    });
    for (let n = 0; n < a.chunks; n++) {
      const chunk = await AttachmentChunk.findOne({ attachmentId: a._id, n }).lean();
      if (!chunk) break;
      // A lean read gives the driver's Binary, not a Buffer.
      const data = chunk.data as unknown;
      res.write(Buffer.isBuffer(data) ? data : Buffer.from((data as { buffer: Uint8Array }).buffer));
    }
    res.end();
  }

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname !== '/attachments' && !url.pathname.startsWith('/attachments/')) return false;
    // The file streams through unread, so the signature binds its declared length, not its hash.
    const check = verifyIdentityHeaders(req.headers, identitySecret, { method: req.method ?? 'GET', path: req.url ?? '/', body: { streamedLength: req.headers['content-length'] } });
    if (!check.ok || !check.identity) req.resume();
    if (!check.ok) {
      sendError(res, 401, 'UNAUTHENTICATED', 'This service only answers requests signed by the gateway.');
      return true;
    }
    if (!check.identity) {
      sendError(res, 401, 'UNAUTHENTICATED', 'Sign in to continue.');
      return true;
    }
    if (req.method === 'POST' && url.pathname === '/attachments') await upload(check.identity, req, res, url);
    else if (req.method === 'GET' && /^\/attachments\/[^/]+$/.test(url.pathname)) await download(check.identity, url.pathname.split('/')[2]!, res);
    else sendError(res, 405, 'BAD_REQUEST', 'Use POST /attachments or GET /attachments/<id>.');
    // Refused before the whole body was read: discard the rest.
    if (!req.readableEnded) req.resume();
    return true;
  };
}
