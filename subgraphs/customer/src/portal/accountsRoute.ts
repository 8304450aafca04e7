import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, Role, sendError, verifyIdentityHeaders, type Logger } from '@wisp/shared';
import type { CustomerModels } from '../context.ts';
import { accountsOfLogin } from './households.ts';

/**
 * `GET /internal/accounts`: the customer accounts the signed identity's login may act for, with its
 * role on each (see {@link accountsOfLogin}). Only the gateway can ask (its signature is required);
 * it puts the answer in the identity it signs for the subgraphs.
 */
export function accountsRoute({ models, log, identitySecret }: { models: CustomerModels; log: Logger; identitySecret: string }) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname !== '/internal/accounts') return false;
    const check = verifyIdentityHeaders(req.headers, identitySecret, { method: req.method ?? 'GET', path: req.url ?? '/', body: { streamedLength: req.headers['content-length'] } });
    if (!check.ok || !check.identity || check.identity.role !== Role.CUSTOMER) {
      sendError(res, 401, ErrorCode.UNAUTHENTICATED, 'This service only answers requests signed by the gateway for a customer login.');
      return true;
    }
    try {
      const accounts = await accountsOfLogin({ models }, check.identity);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accounts }));
    } catch (err) {
      log.error('account lookup failed', { error: String(err) });
      sendError(res, 500, ErrorCode.INTERNAL, 'Internal error.');
    }
    return true;
  };
}
