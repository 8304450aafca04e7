import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, sendError, verifyIdentityHeaders, type Logger } from '@wisp/shared';
import type { CustomerModels } from '../context.ts';
import { secondFactorState } from './accountSecurity.ts';

/** The header the portal sends its second-factor session token in (the gateway passes it here only). */
export const SECOND_FACTOR_HEADER = 'x-wisp-second-factor';

/**
 * `GET /internal/second-factor`: whether the signed identity must show a second factor and
 * whether the given session token shows it. Only the gateway can ask (its signature is required).
 */
export function secondFactorRoute({ models, log, identitySecret }: { models: CustomerModels; log: Logger; identitySecret: string }) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname !== '/internal/second-factor') return false;
    const check = verifyIdentityHeaders(req.headers, identitySecret, { method: req.method ?? 'GET', path: req.url ?? '/', body: { streamedLength: req.headers['content-length'] } });
    if (!check.ok || !check.identity) {
      sendError(res, 401, ErrorCode.UNAUTHENTICATED, 'This service only answers requests signed by the gateway.');
      return true;
    }
    try {
      const token = req.headers[SECOND_FACTOR_HEADER];
      const state = await secondFactorState(models, check.identity, typeof token === 'string' ? token : null);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(state));
    } catch (err) {
      log.error('second factor lookup failed', { error: String(err) });
      sendError(res, 500, ErrorCode.INTERNAL, 'Internal error.');
    }
    return true;
  };
}
