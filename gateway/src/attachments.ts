import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER, sendError, signIdentityHeaders, type Identity } from '@wisp/shared';

/** Options for {@link attachmentRoutes}. */
export interface AttachmentProxyOptions {
  /** Turns the Authorization header into an identity (the same check as GraphQL requests). */
  authenticate: (authorization: string | undefined) => Promise<Identity | null>;
  identitySecret: string;
  /** The messaging subgraph's GraphQL URL; files are served beside it. */
  messagingUrl: string;
  /**
   * The path the files live under, and the subgraph that keeps them (its GraphQL URL).
   * @default ticket attachments: `/attachments`, at `messagingUrl`
   */
  prefix?: string;
  fileServiceUrl?: string;
}

/**
 * Forwards `POST /attachments` and `GET /attachments/<id>` to the messaging subgraph, streaming,
 * with the caller's identity signed as for GraphQL. Files are too large for the JSON body limit,
 * and there are no public URLs: every download carries the bearer token.
 */
/** A refused upload up to this size is read to its end before the answer (see below). */
const DRAIN_BEFORE_ANSWER_BYTES = 64 * 1024 * 1024;
const DRAIN_TIMEOUT_MS = 15_000;

export function attachmentRoutes(options: AttachmentProxyOptions) {
  const base = new URL(options.fileServiceUrl ?? options.messagingUrl);
  const prefix = options.prefix ?? '/attachments';
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) return false;
    // Answering before the upload is read: drop the rest and the connection, so no client trips over it.
    const refuse = (message: string, status = 401, code = 'UNAUTHENTICATED', reason?: unknown) => {
      req.resume();
      res.setHeader('connection', 'close');
      sendError(res, status, code, message, undefined, typeof reason === 'string' ? { reason } : {});
      return true;
    };
    let identity: Identity | null;
    try {
      identity = await options.authenticate(req.headers.authorization);
    } catch (err) {
      // The authenticator's coded verdict (refused, suspended portal, or Firebase out of reach).
      const ext = (err as { extensions?: { code?: unknown; reason?: unknown; http?: { status?: number } } }).extensions;
      if (typeof ext?.code === 'string') return refuse((err as Error).message, ext.http?.status ?? 401, ext.code, ext.reason);
      return refuse('The sign-in token is not valid.');
    }
    if (!identity) return refuse('Sign in to continue.');
    const path = `${url.pathname}${url.search}`;
    const length = req.headers['content-length'];
    // The file streams through unread: the signature binds its declared length.
    const headers: Record<string, string> = { ...signIdentityHeaders(identity, options.identitySecret, { method: req.method ?? 'GET', path, body: { streamedLength: length } }) };
    if (length) headers['content-length'] = String(length);
    const requestId = res.getHeader(REQUEST_ID_HEADER);
    if (typeof requestId === 'string') headers[REQUEST_ID_HEADER] = requestId;
    await new Promise<void>((resolve) => {
      const upstream = httpRequest(
        { hostname: base.hostname, port: base.port, method: req.method, path, headers },
        (up) => {
          const pass: Record<string, string> = {};
          for (const h of ['content-type', 'content-length', 'content-disposition', 'x-content-type-options', 'content-security-policy', 'cache-control']) {
            const v = up.headers[h];
            if (typeof v === 'string') pass[h] = v;
          }
          const answer = () => {
            res.writeHead(up.statusCode ?? 502, pass);
            up.pipe(res);
            up.on('end', resolve);
            up.on('error', () => resolve());
          };
          if (req.readableEnded) return answer();
          // The file service answered before taking the whole upload (too large, refused). A client
          // still sending would see its connection cut (EPIPE) instead of the answer: an upload of a
          // size worth waiting for is read to its end first; a larger one loses the connection.
          req.unpipe(upstream);
          req.resume();
          const declared = Number(req.headers['content-length'] ?? 0);
          if (!(declared > 0 && declared <= DRAIN_BEFORE_ANSWER_BYTES)) {
            pass.connection = 'close';
            return answer();
          }
          const timer = setTimeout(() => {
            pass.connection = 'close';
            answer();
          }, DRAIN_TIMEOUT_MS);
          req.once('end', () => {
            clearTimeout(timer);
            if (!res.headersSent) answer();
          });
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) sendError(res, 502, 'INTERNAL', 'File service unavailable.');
        else res.end();
        resolve();
      });
      if (req.method === 'POST') req.pipe(upstream);
      else upstream.end();
    });
    return true;
  };
}

/** A subgraph's routing URL as composed into the supergraph (`@join__graph(name: …, url: …)`). */
export function routingUrlOf(name: string, supergraphSdl: string): string | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`@join__graph\\(name: "${escaped}", url: "([^"]+)"\\)`).exec(supergraphSdl)?.[1];
}
