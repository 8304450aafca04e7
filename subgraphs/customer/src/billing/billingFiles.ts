import type { IncomingMessage, ServerResponse } from 'node:http';
import { AccountRole, BodyTooLarge, hasScope, linkTo, type Identity, isObjectId, type Logger, readBodyLimited, Role, sendError, verifyIdentityHeaders } from '@wisp/shared';
import { Types } from 'mongoose';
import type { Models } from '../models/index.ts';
import { canSeeCustomer } from '../resolvers/access.ts';

/** Largest invoice PDF. @default 10 MiB */
export const MAX_BILLING_FILE_BYTES = 10 * 1024 * 1024;
/** Bytes per stored chunk, well under the 16 MB document limit. @default 4 MiB - 1 KiB */
const CHUNK_BYTES = 4 * 1024 * 1024 - 1024;

type FileModels = Pick<Models, 'BillingFile' | 'BillingFileChunk'>;

/** A PDF by its first bytes (never by its name or declared type). */
export const isPdf = (data: Buffer) => data.subarray(0, 5).toString('latin1') === '%PDF-';

const safeFilename = (name: string | null | undefined) => {
  let cleaned = (name ?? '').replace(/[^\w .()-]/g, '_').trim().slice(0, 120) || 'invoice';
  if (!cleaned.toLowerCase().endsWith('.pdf')) cleaned += '.pdf';
  return cleaned;
};

/** Removes a stored file and its bytes. */
export async function discardBillingFile(models: FileModels, id: Types.ObjectId): Promise<void> {
  await models.BillingFile.deleteOne({ _id: id });
  await models.BillingFileChunk.deleteMany({ fileId: id });
}

/** Stores a checked PDF, not yet on any invoice; marked complete only once every chunk is written. */
async function storeBillingFile(models: FileModels, tenantId: string, uploaderUid: string, data: Buffer, filename: string) {
  const chunks = Math.ceil(data.length / CHUNK_BYTES);
  const doc = await models.BillingFile.create({ tenantId: new Types.ObjectId(tenantId), uploaderUid, filename, contentType: 'application/pdf', size: data.length, chunks, complete: false });
  try {
    for (let n = 0; n < chunks; n++) await models.BillingFileChunk.create({ fileId: doc._id, n, data: data.subarray(n * CHUNK_BYTES, (n + 1) * CHUNK_BYTES) });
    await models.BillingFile.updateOne({ _id: doc._id }, { $set: { complete: true } });
  } catch (err) {
    await discardBillingFile(models, doc._id).catch(() => undefined);
    throw err;
  }
  return { id: String(doc._id), filename, contentType: 'application/pdf', size: data.length, path: `/billing-files/${String(doc._id)}` };
}

/** Who may store invoice PDFs: the billing integration's key (billing:write) and the tenant's administrators. */
function mayUpload(identity: Identity): boolean {
  if (identity.role === Role.INTEGRATOR) return hasScope(identity, 'billing:write');
  return identity.role === Role.TENANT_ADMIN;
}

/**
 * `POST /billing-files?filename=…` (raw PDF bytes) and `GET /billing-files/<id>`, reached only
 * through the gateway with a signed identity. Uploads must be PDFs by their first bytes; a file
 * is served once an invoice carries it, to whoever may see that invoice's customer.
 */
export function billingFileRoutes({ models, identitySecret, log }: { models: Models; identitySecret: string; log: Logger }) {
  async function upload(identity: Identity, req: IncomingMessage, res: ServerResponse, url: URL) {
    if (!identity.tenantId || !mayUpload(identity)) {
      return sendError(res, 403, 'FORBIDDEN', identity.role === Role.INTEGRATOR ? 'This API key lacks the scope billing:write, which invoice files need.' : 'Only the billing integration stores invoice files.');
    }
    let data: Buffer;
    try {
      data = await readBodyLimited(req, MAX_BILLING_FILE_BYTES);
    } catch (err) {
      if (err instanceof BodyTooLarge) return sendError(res, 413, 'BAD_USER_INPUT', 'Invoice files may be at most 10 MB.', undefined, { field: 'file' });
      throw err;
    }
    if (data.length === 0) return sendError(res, 400, 'BAD_USER_INPUT', 'The file is empty.', undefined, { field: 'file' });
    if (!isPdf(data)) return sendError(res, 415, 'BAD_USER_INPUT', 'Invoice files must be PDF documents.', undefined, { field: 'file' });
    const stored = await storeBillingFile(models, identity.tenantId, identity.uid, data, safeFilename(url.searchParams.get('filename')));
    log.info('invoice file stored', { id: stored.id, size: stored.size });
    res.writeHead(201, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(stored));
  }

  async function download(identity: Identity, id: string, res: ServerResponse) {
    const file = isObjectId(id) ? await models.BillingFile.findOne({ _id: new Types.ObjectId(id), complete: true }).lean() : null;
    const customer = file?.customerId ? await models.Customer.findById(file.customerId).lean() : null;
    const integratorMayRead = identity.role !== Role.INTEGRATOR || hasScope(identity, 'billing:read') || hasScope(identity, 'billing:write');
    // Unknown, on no invoice yet, another tenant's, another customer's: all alike.
    const householdMember = identity.role === Role.CUSTOMER && !!customer && linkTo(identity, String(customer._id))?.role === AccountRole.MEMBER;
    if (!file || !customer || !canSeeCustomer(identity, customer) || !integratorMayRead || householdMember) {
      return sendError(res, 404, 'NOT_FOUND', 'Invoice file not found.');
    }
    res.writeHead(200, {
      'content-type': 'application/pdf',
      'content-length': String(file.size),
      'content-disposition': `attachment; filename="${file.filename}"`,
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cache-control': 'private, no-store',
    });
    for (let n = 0; n < file.chunks; n++) {
      const chunk = await models.BillingFileChunk.findOne({ fileId: file._id, n }).lean();
      if (!chunk) break;
      // A lean read gives the driver's Binary, not a Buffer.
      const data = chunk.data as unknown;
      res.write(Buffer.isBuffer(data) ? data : Buffer.from((data as { buffer: Uint8Array }).buffer));
    }
    res.end();
  }

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname !== '/billing-files' && !url.pathname.startsWith('/billing-files/')) return false;
    // The file streams through the gateway unread, so the signature binds its declared length.
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
    if (req.method === 'POST' && url.pathname === '/billing-files') await upload(check.identity, req, res, url);
    else if (req.method === 'GET' && /^\/billing-files\/[^/]+$/.test(url.pathname)) await download(check.identity, url.pathname.split('/')[2]!, res);
    else sendError(res, 405, 'BAD_REQUEST', 'Use POST /billing-files or GET /billing-files/<id>.');
    if (!req.readableEnded) req.resume();
    return true;
  };
}
