/**
 * A small webhook receiver for this machine: `npm start` runs one for the demo endpoints, tests and
 * the bench run their own. It verifies every delivery's Standard Webhooks signature with the
 * reference `standardwebhooks` package (secrets per path), answers 401 to one that does not verify,
 * keeps the newest verified deliveries and serves them as JSON at `GET /`.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  path: string;
  id: string;
  timestamp: string;
  /** The body as sent (the signed bytes). */
  raw: string;
  headers: Record<string, string>;
  /** The parsed body: `{ type, timestamp, data }`. */
  body: { type: string; timestamp: string; data: Record<string, any> };
  verified: boolean;
  /** What the receiver answered. */
  status: number;
  receivedAt: string;
}

export interface WebhookReceiverOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /** How many verified deliveries are kept for `GET /`. @default 100 */
  keep?: number;
  /** The status to answer a verified delivery with (tests make receivers fail). @default 204 */
  answer?: (delivery: ReceivedWebhook) => number | Promise<number>;
}

export interface WebhookReceiver {
  url: string;
  port: number;
  /** The secrets (`whsec_…`) a path's deliveries verify with; any one of them will do. */
  secrets: Map<string, string[]>;
  /** Every delivery that arrived, verified or not, oldest first (tests read it). */
  all: ReceivedWebhook[];
  /** The newest verified ones, oldest first, at most `keep`. */
  verified: () => ReceivedWebhook[];
  stop: () => Promise<void>;
}

const flat = (h: IncomingHttpHeaders) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]));

export async function startWebhookReceiver(options: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
  const keep = options.keep ?? 100;
  const secrets = new Map<string, string[]>();
  const all: ReceivedWebhook[] = [];
  let kept: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://receiver').pathname;
    if (req.method === 'GET' && path === '/') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ deliveries: [...kept].reverse().map(({ raw: _raw, ...d }) => d) }, null, 2));
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const headers = flat(req.headers);
      const verified = (secrets.get(path) ?? []).some((s) => {
        try {
          new Webhook(s).verify(raw, headers);
          return true;
        } catch {
          return false;
        }
      });
      let body: ReceivedWebhook['body'];
      try {
        body = JSON.parse(raw);
      } catch {
        body = { type: '', timestamp: '', data: {} };
      }
      const delivery: ReceivedWebhook = { path, id: headers['webhook-id'] ?? '', timestamp: headers['webhook-timestamp'] ?? '', raw, headers, body, verified, status: 401, receivedAt: new Date().toISOString() };
      all.push(delivery);
      if (all.length > 10 * keep) all.splice(0, all.length - 10 * keep);
      if (verified) {
        delivery.status = (await options.answer?.(delivery)) ?? 204;
        if (delivery.status >= 200 && delivery.status < 300) kept = [...kept, delivery].slice(-keep);
      }
      res.writeHead(delivery.status, { 'content-type': 'text/plain' });
      res.end(verified ? (delivery.status < 300 ? 'ok' : 'failing on purpose') : 'signature did not verify');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    secrets,
    all,
    verified: () => kept,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
