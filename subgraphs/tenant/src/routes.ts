import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLarge, ErrorCode, type Identity, isDuplicateKey, isObjectId, type Logger, parseApiKey, readBodyLimited, verifyIdentityHeaders } from '@wisp/shared';
import { verifyApiKey } from './resolvers/apiKeys.ts';
import { Types } from 'mongoose';
import { detectImageType, IMAGE_TYPES, MAX_ASSET_BYTES, type ImageExt } from './assets/detectImageType.ts';
import { sanitizeSvg } from './branding/sanitizeSvg.ts';
import type { Models } from './models/index.ts';
import { brandingTenantId } from './resolvers/access.ts';
import { loadAdministeredTenant } from './branding/brandingService.ts';

/** Headers of every served asset: cached for ever (the name is the content's hash) and never sniffed. */
export const ASSET_HEADERS = {
  'cache-control': 'public, max-age=31536000, immutable',
  'x-content-type-options': 'nosniff',
  // An image needs nothing else; an SVG opened on its own can run nothing.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
  'cross-origin-resource-policy': 'cross-origin',
} as const;

const ASSET_NAME = /^\/assets\/([0-9a-f]{64})\.(png|jpg|webp|ico|svg)$/;

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendCoded(res: ServerResponse, status: number, code: string, message: string, field?: string) {
  sendJson(res, status, { errors: [{ message, extensions: { code, ...(field ? { field } : {}) } }] });
}



/** Stores an upload after checking who sends it, its size and, by content, its type. */
async function upload(models: Models, identity: Identity | null, req: IncomingMessage, res: ServerResponse, url: URL) {
  let tenantId: string;
  try {
    tenantId = brandingTenantId(identity, url.searchParams.get('tenantId'));
    await loadAdministeredTenant(models, tenantId);
  } catch (err) {
    const code = String((err as { extensions?: { code?: string } }).extensions?.code ?? ErrorCode.FORBIDDEN);
    const status = code === 'UNAUTHENTICATED' ? 401 : code === 'NOT_FOUND' ? 404 : code === 'BAD_USER_INPUT' ? 400 : 403;
    return sendCoded(res, status, code, (err as Error).message);
  }
  let data: Buffer;
  try {
    data = await readBodyLimited(req, MAX_ASSET_BYTES);
  } catch (err) {
    if (err instanceof BodyTooLarge) return sendCoded(res, 413, ErrorCode.BAD_USER_INPUT, 'The file is larger than 1 MB.', 'file');
    throw err;
  }
  if (data.length === 0) return sendCoded(res, 400, ErrorCode.BAD_USER_INPUT, 'The file is empty.', 'file');
  let ext: ImageExt | null = detectImageType(data);
  if (!ext) return sendCoded(res, 415, ErrorCode.BAD_USER_INPUT, 'Upload a PNG, JPEG, WebP, ICO or SVG image.', 'file');
  if (ext === 'svg') {
    const clean = sanitizeSvg(data.toString('utf8'));
    if (!clean.ok) return sendCoded(res, 415, ErrorCode.BAD_USER_INPUT, clean.message, 'file');
    data = Buffer.from(clean.svg, 'utf8');
    ext = 'svg';
  }
  const sha256 = createHash('sha256').update(data).digest('hex');
  try {
    await models.Asset.create({
      sha256,
      ext,
      contentType: IMAGE_TYPES[ext],
      size: data.length,
      data,
      tenantId: new Types.ObjectId(tenantId),
      uploadedBy: identity!.uid,
    });
  } catch (err) {
    // The same bytes were uploaded before: the stored copy serves both.
    if (!isDuplicateKey(err)) throw err;
  }
  sendJson(res, 201, { url: `/assets/${sha256}.${ext}`, contentType: IMAGE_TYPES[ext], size: data.length });
}

async function serveAsset(models: Models, res: ServerResponse, sha256: string, ext: string, head: boolean) {
  const asset = await models.Asset.findOne({ sha256, ext }).lean();
  if (!asset) return sendCoded(res, 404, ErrorCode.NOT_FOUND, 'Not found.');
  // A lean read gives the driver's Binary, whose bytes are in `.buffer`.
  const raw = asset.data as unknown;
  const data = Buffer.isBuffer(raw) ? raw : Buffer.from((raw as { buffer: Uint8Array }).buffer);
  res.writeHead(200, {
    ...ASSET_HEADERS,
    'content-type': asset.contentType,
    'content-length': String(data.length),
    etag: `"${sha256}"`,
  });
  res.end(head ? undefined : data);
}

/**
 * `POST /internal/api-keys/verify` `{ key, address }` from the gateway: the key's tenant and scopes,
 * or 401 for any key that is not good now. The key travels in the signed body, never in a URL.
 */
async function verifyKeyRoute(models: Models, log: Logger, identitySecret: string, req: IncomingMessage, res: ServerResponse): Promise<true> {
  let text: string;
  try {
    text = (await readBodyLimited(req, 4096)).toString('utf8');
  } catch {
    sendCoded(res, 413, ErrorCode.BAD_USER_INPUT, 'Too large.');
    return true;
  }
  const check = verifyIdentityHeaders(req.headers, identitySecret, { method: req.method ?? 'GET', path: req.url ?? '/', body: text });
  if (!check.ok || req.method !== 'POST') {
    sendCoded(res, 401, ErrorCode.UNAUTHENTICATED, 'This service only answers requests signed by the gateway.');
    return true;
  }
  try {
    const { key, address } = JSON.parse(text) as { key?: unknown; address?: unknown };
    const parsed = typeof key === 'string' ? parseApiKey(key) : null;
    const found = parsed ? await verifyApiKey(models, parsed.keyId, parsed.secret, typeof address === 'string' ? address.slice(0, 100) : null) : null;
    if (!found) sendCoded(res, 401, ErrorCode.UNAUTHENTICATED, 'This API key is not valid.');
    else sendJson(res, 200, found);
  } catch (err) {
    log.error('API key check failed', { error: String(err) });
    sendJson(res, 500, { errors: [{ message: 'Internal error.', extensions: { code: ErrorCode.INTERNAL } }] });
  }
  return true;
}

/**
 * HTTP routes beside GraphQL, reachable only through the gateway (every request must carry its
 * signature): asset upload and serving, and the tenant status the gateway checks logins against.
 */
export function tenantRoutes({ models, log, identitySecret }: { models: Models; log: Logger; identitySecret: string }) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const isAsset = ASSET_NAME.exec(url.pathname);
    const isUpload = url.pathname === '/internal/assets';
    const status = /^\/internal\/tenant-status\/([^/]+)$/.exec(url.pathname);
    if (url.pathname === '/internal/api-keys/verify') return verifyKeyRoute(models, log, identitySecret, req, res);
    if (!isAsset && !isUpload && !status) return false;

    // Uploads are read only after the signature is checked, so it binds their declared length.
    const check = verifyIdentityHeaders(req.headers, identitySecret, { method: req.method ?? 'GET', path: req.url ?? '/', body: { streamedLength: req.headers['content-length'] } });
    if (!check.ok) {
      sendCoded(res, 401, ErrorCode.UNAUTHENTICATED, 'This service only answers requests signed by the gateway.');
      return true;
    }
    try {
      if (isAsset && (req.method === 'GET' || req.method === 'HEAD')) await serveAsset(models, res, isAsset[1]!, isAsset[2]!, req.method === 'HEAD');
      else if (isUpload && req.method === 'POST') await upload(models, check.identity, req, res, url);
      else if (status && req.method === 'GET') {
        const id = decodeURIComponent(status[1]!);
        const tenant = isObjectId(id) ? await models.Tenant.findById(id, { status: 1, firebaseTenantId: 1 }).lean() : null;
        // The gateway ties each login's Firebase tenant to the WISP its claims name.
        sendJson(res, 200, { status: tenant?.status ?? 'UNKNOWN', authTenantId: tenant?.firebaseTenantId ?? null });
      } else sendCoded(res, 405, 'BAD_REQUEST', 'Method not allowed.');
    } catch (err) {
      const requestId = randomUUID();
      log.error('route failed', { requestId, path: url.pathname, error: String(err) });
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal error.', extensions: { code: ErrorCode.INTERNAL, requestId } }] });
    }
    return true;
  };
}
