import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { Busboy } from '@fastify/busboy';
import { MAX_INBOUND_EMAIL_BYTES } from '@wisp/shared';

/** Bytes kept of a refused body's start: its headers, so the refusal can say whom it was from. @default 64 KiB */
const HEAD_BYTES = 64 * 1024;

/**
 * The request body, up to `limit` bytes. Past the limit (declared or counted) it answers at once
 * with the first {@link HEAD_BYTES} and discards the rest as it arrives, never buffering it, so the
 * caller can refuse the request while it is still being sent.
 */
export function readCapped(req: IncomingMessage, limit: number): Promise<{ ok: true; body: Buffer } | { ok: false; head: Buffer }> {
  const declared = Number(req.headers['content-length'] ?? 0);
  return new Promise((resolve, reject) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const refuse = () => {
      settled = true;
      const head = Buffer.concat(chunks).subarray(0, HEAD_BYTES);
      chunks = [];
      resolve({ ok: false, head });
    };
    // Listening (not async iteration, which destroys the request when left early) keeps the connection for the answer.
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      chunks.push(chunk);
      size += chunk.length;
      if (size > limit || (declared > limit && size >= HEAD_BYTES)) refuse();
    });
    req.on('end', () => {
      if (settled) return;
      if (declared > limit) return refuse();
      settled = true;
      resolve({ ok: true, body: Buffer.concat(chunks) });
    });
    req.on('error', (err) => {
      if (!settled) reject(err);
    });
  });
}

/** One inbound message as a provider hands it over: the raw MIME bytes and the recipients of its SMTP envelope. */
export interface InboundDelivery {
  raw: Buffer;
  /** RCPT TO addresses the provider reported (Mailgun's `recipient`, SendGrid's `envelope.to`). */
  envelopeTo: string[];
}

/** Form fields that carry the raw message: Mailgun's raw-MIME forward, SendGrid's "POST the raw, full MIME message". */
const MIME_FIELDS = new Set(['body-mime', 'email', 'message']);

/**
 * The message inside a request body: the body itself for `message/rfc822`, `text/plain` or
 * `application/octet-stream` (a Postfix pipe, a script), or the raw-MIME field of a form post
 * (`multipart/form-data`, `application/x-www-form-urlencoded`).
 */
export async function deliveryFrom(contentType: string | undefined, body: Buffer): Promise<{ ok: true; delivery: InboundDelivery } | { ok: false; reason: 'unsupported-content-type' | 'no-message' }> {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === '' || type === 'message/rfc822' || type === 'text/plain' || type === 'application/octet-stream') return { ok: true, delivery: { raw: body, envelopeTo: [] } };
  if (type !== 'multipart/form-data' && type !== 'application/x-www-form-urlencoded') return { ok: false, reason: 'unsupported-content-type' };
  const fields = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    let bb: InstanceType<typeof Busboy>;
    try {
      bb = new Busboy({
        headers: { 'content-type': contentType! },
        // The message's own bytes, exactly: read as a file part, never decoded as text.
        isPartAFile: (name, _type, filename) => (name !== undefined && MIME_FIELDS.has(name)) || filename !== undefined,
        limits: { fieldSize: MAX_INBOUND_EMAIL_BYTES, fileSize: MAX_INBOUND_EMAIL_BYTES, parts: 1000 },
      });
    } catch (err) {
      reject(err);
      return;
    }
    bb.on('field', (name: string, value: string) => {
      if (!fields.has(name)) fields.set(name, Buffer.from(value, 'utf8'));
    });
    bb.on('file', (name: string, stream: Readable) => {
      const parts: Buffer[] = [];
      stream.on('data', (d: Buffer) => {
        if (MIME_FIELDS.has(name)) parts.push(d);
      });
      stream.on('end', () => {
        if (MIME_FIELDS.has(name) && !fields.has(name)) fields.set(name, Buffer.concat(parts));
      });
    });
    bb.on('finish', () => resolve());
    bb.on('error', reject);
    Readable.from([body]).pipe(bb);
  }).catch(() => undefined);
  const raw = fields.get('body-mime') ?? fields.get('email') ?? fields.get('message');
  if (!raw) return { ok: false, reason: 'no-message' };
  const envelopeTo: string[] = [];
  const recipient = fields.get('recipient')?.toString('utf8');
  if (recipient) envelopeTo.push(...recipient.split(','));
  const envelope = fields.get('envelope')?.toString('utf8');
  if (envelope) {
    try {
      const to = (JSON.parse(envelope) as { to?: unknown }).to;
      if (Array.isArray(to)) envelopeTo.push(...to.filter((a): a is string => typeof a === 'string'));
    } catch {
      // A malformed envelope leaves the message's own headers to name the recipient.
    }
  }
  return { ok: true, delivery: { raw, envelopeTo: envelopeTo.map((a) => a.trim()).filter(Boolean) } };
}
