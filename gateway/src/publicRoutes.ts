import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER, sendError } from '@wisp/shared';

/** One public plain-HTTP path the gateway passes to the subgraph that owns it. */
export interface PublicRoute {
  /** The path, or a prefix ending in `/` (or `*`) that matches everything under it. */
  path: string;
  /** The owning subgraph's GraphQL URL; the route is served beside it. */
  subgraphUrl: string;
  /** Largest body passed on. @default 64 KiB */
  maxBodyBytes?: number;
}

/** Request headers the owning service may need: what the body is, the caller's own proof, where it was sent. */
const PASSED = ['content-type', 'content-length', 'authorization', 'x-twilio-signature', 'user-agent'];

/**
 * Forwards public routes that carry their own authority (a signed token in the URL, a provider's
 * signature, a shared secret) to the subgraph that owns them, streaming, with no identity: the
 * subgraph checks that authority itself. The public host and protocol go along, so a service can
 * rebuild the URL a provider signed.
 */
export function publicRoutes(routes: PublicRoute[]) {
  const matches = (route: PublicRoute, pathname: string) => {
    if (route.path.endsWith('*')) return pathname.startsWith(route.path.slice(0, -1));
    return pathname === route.path;
  };
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const route = routes.find((r) => matches(r, url.pathname));
    if (!route) return false;
    const limit = route.maxBodyBytes ?? 64 * 1024;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      res.setHeader('connection', 'close');
      sendError(res, 413, 'BAD_USER_INPUT', 'The request body is too large.');
      return true;
    }
    const base = new URL(route.subgraphUrl);
    const headers: Record<string, string> = {};
    for (const h of PASSED) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    headers['x-forwarded-host'] = (req.headers['x-forwarded-host'] as string | undefined) ?? req.headers.host ?? '';
    headers['x-forwarded-proto'] = (req.headers['x-forwarded-proto'] as string | undefined) ?? 'http';
    const requestId = res.getHeader(REQUEST_ID_HEADER);
    if (typeof requestId === 'string') headers[REQUEST_ID_HEADER] = requestId;
    await new Promise<void>((resolve) => {
      const upstream = httpRequest({ hostname: base.hostname, port: base.port, method: req.method, path: `${url.pathname}${url.search}`, headers }, (up) => {
        const pass: Record<string, string> = {};
        for (const h of ['content-type', 'content-length', 'allow', 'retry-after']) {
          const v = up.headers[h];
          if (typeof v === 'string') pass[h] = v;
        }
        res.writeHead(up.statusCode ?? 502, pass);
        up.pipe(res);
        up.on('end', resolve);
        up.on('error', () => resolve());
      });
      upstream.on('error', () => {
        if (!res.headersSent) sendError(res, 502, 'INTERNAL', 'Service unavailable.');
        else res.end();
        resolve();
      });
      // A body without a declared length is counted as it streams and cut off at the limit.
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > limit) {
          req.unpipe(upstream);
          upstream.destroy();
          if (!res.headersSent) {
            res.setHeader('connection', 'close');
            sendError(res, 413, 'BAD_USER_INPUT', 'The request body is too large.');
          }
          resolve();
        }
      });
      req.pipe(upstream);
    });
    return true;
  };
}
