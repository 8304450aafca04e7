import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_INBOUND_EMAIL_BYTES, REQUEST_ID_HEADER, sendError, type Logger } from '@wisp/shared';
import type { Models } from '../models/index.ts';
import type { Services } from '../services.ts';
import { acceptReply, headFacts, recordRefusal, type InboundOutcome } from './acceptReply.ts';
import { deliveryFrom, readCapped } from './readInboundBody.ts';

/** The public paths: `/inbound/email`, and the same ending in `mime` for Mailgun, which posts raw MIME only to such URLs. */
export const INBOUND_EMAIL_PATHS = ['/inbound/email', '/inbound/email/mime'];

/** How the inbound route is set up; without both secrets it answers 404, as if it did not exist. */
export interface InboundEmailOptions {
  models: Models;
  services: Services;
  log: Logger;
  /** INBOUND_EMAIL_SECRET: what the mail provider or MTA proves itself with. */
  inboundSecret: string | null;
  /** REPLY_TOKEN_SECRET: what reply addresses are signed with. */
  replySecret: string | null;
  /** Largest request accepted. @default {@link MAX_INBOUND_EMAIL_BYTES} */
  maxBytes?: number;
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** The secret a request presents: the password of HTTP Basic (any user name) or a bearer token. */
function presentedSecret(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const [scheme, value] = authorization.trim().split(/\s+/, 2);
  if (!value) return null;
  if (/^bearer$/i.test(scheme!)) return value;
  if (!/^basic$/i.test(scheme!)) return null;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : decoded.slice(colon + 1);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * `POST /inbound/email`: one inbound email, as a Postfix pipe, Mailgun's raw-MIME forward or
 * SendGrid's raw Inbound Parse posts it. The provider proves itself with INBOUND_EMAIL_SECRET
 * (HTTP Basic password or bearer token); the email is then added to the conversation its reply
 * address names, or refused with a reason that is logged and kept in `inbound_email_rejections`.
 *
 * Answers: 200 `{ accepted: true, messageId }` (also for a Message-ID seen before: the first
 * delivery's message); 406 `{ accepted: false, reason }` for a refused email; 413 for a body over
 * the limit; 401 without the right secret; 404 when reply-by-email is not configured.
 */
export function inboundEmailRoute(options: InboundEmailOptions) {
  const { models, services, log } = options;
  const maxBytes = options.maxBytes ?? MAX_INBOUND_EMAIL_BYTES;
  const expected = options.inboundSecret ? digest(options.inboundSecret) : null;

  const refused = async (res: ServerResponse, outcome: Extract<InboundOutcome, { accepted: false }>, status: number, requestId: unknown) => {
    const { reason, detail, facts } = outcome;
    log.warn('inbound email refused', { reason, detail, from: facts.from, subject: facts.subject, messageId: facts.messageId, workOrderId: facts.workOrderId, requestId });
    await recordRefusal(models, outcome);
    // 406, not 422 or 400: Mailgun retries every answer but 200 and 406 for 8 hours, SendGrid only
    // 5xx; a refusal is final, and another attempt would be refused the same way.
    sendJson(res, status, { accepted: false, reason });
  };

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (!INBOUND_EMAIL_PATHS.includes(url.pathname)) return false;
    const requestId = res.getHeader(REQUEST_ID_HEADER);
    // Answered before the body is read: the rest is read and dropped. Closing instead would reset a
    // connection still sending, and the gateway in front could lose the answer.
    const early = () => {
      req.resume();
    };
    if (!expected || !options.replySecret) {
      early();
      sendError(res, 404, 'NOT_FOUND', 'Not found.');
      return true;
    }
    if (req.method !== 'POST') {
      early();
      sendJson(res, 405, { accepted: false, reason: 'method-not-allowed' }, { allow: 'POST' });
      return true;
    }
    const presented = presentedSecret(req.headers.authorization);
    // Digests of equal length, so the comparison takes the same time whatever was sent.
    if (presented === null || !timingSafeEqual(digest(presented), expected)) {
      early();
      log.warn('inbound email without the right secret', { requestId, authorization: presented === null ? 'missing' : 'wrong' });
      sendJson(res, 401, { accepted: false, reason: 'unauthorized' }, { 'www-authenticate': 'Basic realm="inbound email", charset="UTF-8"' });
      return true;
    }
    const read = await readCapped(req, maxBytes);
    if (!read.ok) {
      // readCapped drops the rest as it comes. 413, as HTTP names it: the provider is told the message will never fit.
      await refused(res, { accepted: false, reason: 'too-large', detail: `over ${maxBytes} bytes`, facts: await headFacts(read.head) }, 413, requestId);
      return true;
    }
    const delivery = await deliveryFrom(req.headers['content-type'], read.body);
    if (!delivery.ok) {
      if (delivery.reason === 'unsupported-content-type') {
        sendJson(res, 415, { accepted: false, reason: delivery.reason });
        return true;
      }
      await refused(res, { accepted: false, reason: 'malformed-mime', detail: 'no message in the form', facts: {} }, 406, requestId);
      return true;
    }
    // Where the MTA or provider says the message was delivered to (a '+' in a query string reads as a space).
    const envelope = [...url.searchParams.getAll('recipient'), ...[req.headers['x-envelope-to']].flat()]
      .filter((a): a is string => typeof a === 'string')
      .flatMap((a) => a.split(','))
      .map((a) => a.trim().replace(/ /g, '+'));
    const outcome = await acceptReply({ models, services, replySecret: options.replySecret }, { raw: delivery.delivery.raw, envelopeTo: [...envelope, ...delivery.delivery.envelopeTo] });
    if (!outcome.accepted) {
      await refused(res, outcome, 406, requestId);
      return true;
    }
    log.info('inbound email added', { messageId: outcome.messageId, duplicate: outcome.duplicate, requestId });
    sendJson(res, 200, { accepted: true, messageId: outcome.messageId, ...(outcome.duplicate ? { duplicate: true } : {}) });
    return true;
  };
}
