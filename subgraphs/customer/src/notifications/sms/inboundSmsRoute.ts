import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLarge, ErrorCode, readBodyLimited, sendError, type Logger } from '@wisp/shared';
import type { CustomerModels } from '../../context.ts';
import { handleSmsKeyword } from './smsKeywords.ts';
import { smsWebhookBase, twilioAuthToken } from './smsSettings.ts';
import { isTwilioSigned } from './twilioSignature.ts';

/** Twilio's delivery reports that settle a text; the others (queued, sending, sent) say nothing new. */
const REPORTED = { delivered: 'DELIVERED', undelivered: 'UNDELIVERED', failed: 'FAILED' } as const;

/** The URL Twilio requested, as it signed it: the configured public base, else the forwarded host and protocol. */
function publicUrl(req: IncomingMessage, url: URL): string {
  const base = smsWebhookBase();
  if (base) return `${base}${url.pathname}${url.search}`;
  const first = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h)?.split(',')[0]?.trim();
  const proto = first(req.headers['x-forwarded-proto']) || 'http';
  const host = first(req.headers['x-forwarded-host']) || req.headers.host || 'localhost';
  return `${proto}://${host}${url.pathname}${url.search}`;
}

/**
 * Twilio's webhooks, public through the gateway; the signature is their authority:
 * - `POST /inbound/sms`: a text a customer sent (form fields From, To, Body, MessageSid): STOP,
 *   START and HELP are answered (see `handleSmsKeyword`). The answer is empty TwiML, so Twilio
 *   sends nothing itself: replies go through the SMS outbox like every other text.
 * - `POST /inbound/sms/status`: a sent text's delivery report (MessageSid, MessageStatus, ErrorCode).
 * A request without Twilio's valid `X-Twilio-Signature` is refused (403) and changes nothing.
 * Without TWILIO_AUTH_TOKEN nothing can be checked, and both answer 404.
 */
export function inboundSmsRoute({ models, log }: { models: CustomerModels; log: Logger }) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname !== '/inbound/sms' && url.pathname !== '/inbound/sms/status') return false;
    const authToken = twilioAuthToken();
    if (!authToken) {
      req.resume();
      sendError(res, 404, ErrorCode.NOT_FOUND, 'Not found.');
      return true;
    }
    if (req.method !== 'POST') {
      req.resume();
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end('Twilio posts here.');
      return true;
    }
    let params: URLSearchParams;
    try {
      params = new URLSearchParams((await readBodyLimited(req, 64 * 1024)).toString('utf8'));
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) throw err;
      res.setHeader('connection', 'close');
      sendError(res, 413, ErrorCode.BAD_USER_INPUT, 'The request body is too large.');
      return true;
    }
    if (!isTwilioSigned(authToken, req.headers['x-twilio-signature'], publicUrl(req, url), params)) {
      log.warn('SMS webhook refused: the Twilio signature does not match', { path: url.pathname });
      sendError(res, 403, ErrorCode.FORBIDDEN, 'The request signature is not valid.');
      return true;
    }
    try {
      if (url.pathname === '/inbound/sms/status') {
        const status = REPORTED[params.get('MessageStatus')?.toLowerCase() as keyof typeof REPORTED];
        const sid = params.get('MessageSid');
        if (status && sid) {
          const code = params.get('ErrorCode');
          const sms = await models.services.smsOutbox.markStatus(sid, status, code ? `Twilio error ${code}` : null);
          if (!sms) log.info('delivery report for a text the outbox does not know', { messageSid: sid, status });
        }
        res.writeHead(204).end();
      } else {
        await handleSmsKeyword(models, { from: params.get('From') ?? '', to: params.get('To') ?? '', body: params.get('Body') ?? '', messageSid: params.get('MessageSid') }, log);
        res.writeHead(200, { 'content-type': 'text/xml' }).end('<Response/>');
      }
    } catch (err) {
      log.error('SMS webhook failed', { path: url.pathname, error: err instanceof Error ? err.message : String(err) });
      sendError(res, 500, ErrorCode.INTERNAL, 'Internal error.');
    }
    return true;
  };
}
