import type { IncomingMessage } from 'node:http';

/**
 * How many proxies in front of the gateway append to `X-Forwarded-For`, from TRUST_PROXY: a hop
 * count (`0`, `1`, `2`…; `true` means one, `false` or unset none). Only addresses those proxies
 * added are believed: a client can write any `X-Forwarded-For` it likes. @default 0
 */
export function trustProxyFromEnv(): number {
  const raw = (process.env.TRUST_PROXY ?? '').trim();
  if (/^(true|yes)$/i.test(raw)) return 1;
  const hops = Number(raw);
  return Number.isInteger(hops) && hops > 0 ? Math.min(hops, 10) : 0;
}

/**
 * The address a request came from, for per-client rate limits: with `trustedHops` proxies in
 * front, the right-most address they did not add themselves (the one the outermost trusted proxy
 * saw), never a left-hand entry the client may have written; without, the socket's peer.
 */
export function clientAddressOf(req: IncomingMessage, trustedHops = trustProxyFromEnv()): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedHops <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  // The peer is the innermost trusted proxy; each trusted proxy appended the address it saw.
  const chain = [...forwarded, peer];
  const client = chain[Math.max(0, chain.length - 1 - trustedHops)]!;
  return client.length <= 100 ? client : peer;
}
