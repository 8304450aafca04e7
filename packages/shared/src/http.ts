import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { REQUEST_ID_HEADER } from './identity.ts';

/** Options for {@link graphqlHttpHandler}. */
export interface GraphqlHttpOptions<C extends BaseContext> {
  /**
   * Builds the per-request context; may throw a coded GraphQLError (e.g. UNAUTHENTICATED).
   * `body` is the raw request body as received (empty for GET), for checks bound to it.
   */
  context: (req: IncomingMessage, requestId: string, body: Buffer) => Promise<C>;
  /** Largest accepted request body. @default 1_000_000 bytes */
  maxBodyBytes?: number;
  /** Adds permissive CORS headers (no credentials: callers authenticate with bearer tokens). @default false */
  cors?: boolean;
  /** Extra routes served before GraphQL; return true when handled. */
  routes?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;
  /** Answers `/healthz`; a rejection reports 503. @default always healthy */
  health?: () => Promise<void>;
}

/** Answers with a JSON body. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** A GraphQL-over-HTTP error body, for failures that happen before Apollo Server sees the request. */
export function sendError(res: ServerResponse, status: number, code: string, message: string, requestId?: string, extra: Record<string, unknown> = {}) {
  sendJson(res, status, { errors: [{ message, extensions: { code, ...extra, ...(requestId ? { requestId } : {}) } }] });
}

/** Thrown by {@link readBodyLimited} when a body is (or declares itself) larger than allowed. */
export class BodyTooLarge extends Error {}

/** Reads a request body, stopping as soon as it passes `limit` bytes (uploads and JSON alike). */
export async function readBodyLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': 'authorization, content-type, apollo-require-preflight, x-apollo-operation-name, x-request-id, x-wisp-second-factor, x-wisp-account',
  'access-control-max-age': '600',
};

/**
 * Serves an Apollo Server on `/graphql` and a health check on `/healthz` from a plain Node HTTP
 * server, so the gateway and every subgraph share one request path (body limits, request ids,
 * JSON errors) and the gateway can add graphql-ws on the same server.
 */
export function graphqlHttpHandler<C extends BaseContext>(server: ApolloServer<C>, options: GraphqlHttpOptions<C>): RequestListener {
  const maxBody = options.maxBodyBytes ?? 1_000_000;
  return (req, res) => {
    void (async () => {
      const incomingId = req.headers[REQUEST_ID_HEADER];
      const requestId = typeof incomingId === 'string' && /^[\w-]{8,64}$/.test(incomingId) ? incomingId : randomUUID();
      res.setHeader(REQUEST_ID_HEADER, requestId);
      if (options.cors) for (const [k, v] of Object.entries(CORS_HEADERS)) res.setHeader(k, v);
      const url = new URL(req.url ?? '/', 'http://internal');
      if (req.method === 'OPTIONS') {
        res.writeHead(204).end();
        return;
      }
      if (url.pathname === '/healthz') {
        try {
          await options.health?.();
          sendJson(res, 200, { status: 'ok' });
        } catch {
          sendJson(res, 503, { status: 'unavailable' });
        }
        return;
      }
      if (options.routes && (await options.routes(req, res, url))) return;
      if (url.pathname !== '/graphql') {
        sendError(res, 404, 'NOT_FOUND', 'Not found.', requestId);
        return;
      }
      let bytes: Buffer;
      try {
        bytes = req.method === 'POST' ? await readBodyLimited(req, maxBody) : Buffer.alloc(0);
      } catch (err) {
        if (err instanceof BodyTooLarge) sendError(res, 413, 'BAD_REQUEST', `Request body is larger than ${maxBody} bytes.`, requestId);
        else sendError(res, 400, 'BAD_REQUEST', 'Could not read the request body.', requestId);
        return;
      }
      const raw = bytes.toString('utf8');
      const headers = new HeaderMap();
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
      let body: unknown = raw;
      if (req.method === 'POST' && (headers.get('content-type') ?? '').includes('application/json')) {
        try {
          body = raw === '' ? {} : JSON.parse(raw);
        } catch {
          sendError(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON.', requestId);
          return;
        }
      }
      const result = await server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: () => options.context(req, requestId, bytes),
      });
      for (const [k, v] of result.headers) res.setHeader(k, v);
      res.statusCode = result.status ?? 200;
      if (result.body.kind === 'complete') {
        res.end(result.body.string);
        return;
      }
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    })().catch((err: unknown) => {
      process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'http handler failed', error: String(err) })}\n`);
      if (!res.headersSent) sendError(res, 500, 'INTERNAL', 'Internal error.');
      else res.end();
    });
  };
}
