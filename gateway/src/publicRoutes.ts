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
  /**
   * The owning service refuses bodies over `maxBodyBytes` itself, to record what it refused: the
   * gateway passes such a request on and stops streaming at the limit instead of answering for it.
   * @default false
   */
  serviceAnswersOversize?: boolean;
}

/** Request headers the owning service may need: what the body is, the caller's own proof, where it was sent. */
const PASSED = ['content-type', 'content-length', 'authorization', 'x-twilio-signature', 'user-agent', 'x-envelope-to'];

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
    if (declared > limit && !route.serviceAnswersOversize) {
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
      // Set when the body was not passed on whole: that upstream connection is not reused.
      let cut = false;
      const upstream = httpRequest({ hostname: base.hostname, port: base.port, method: req.method, path: `${url.pathname}${url.search}`, headers }, (up) => {
        const pass: Record<string, string> = {};
        for (const h of ['content-type', 'content-length', 'allow', 'retry-after', 'www-authenticate']) {
          const v = up.headers[h];
          if (typeof v === 'string') pass[h] = v;
        }
        if (!req.readableEnded) {
          // The service answered before taking the whole body (refused, too large): drop the rest and the connection.
          cut = true;
          req.unpipe(upstream);
          req.resume();
          pass.connection = 'close';
        }
        if (res.headersSent) {
          up.resume();
          resolve();
          return;
        }
        res.writeHead(up.statusCode ?? 502, pass);
        up.pipe(res);
        up.on('end', () => {
          if (cut) upstream.destroy();
          resolve();
        });
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
        if (seen > limit && route.serviceAnswersOversize) {
          // Enough for the service to see it is too large; it answers, and the rest is dropped. The
          // pipe still writes this chunk (its listener runs after this one), so the end comes after it.
          cut = true;
          req.unpipe(upstream);
          req.resume();
          process.nextTick(() => {
            if (!upstream.writableEnded && !upstream.destroyed) upstream.end();
          });
          return;
        }
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
