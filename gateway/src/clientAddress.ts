import type { IncomingMessage } from 'node:http';

/**
 * Whether the gateway sits behind a proxy whose `X-Forwarded-For` it may believe. Off by default:
 * a client can write any `X-Forwarded-For` it likes, so only a proxy that overwrites it makes the
 * header worth reading. @default false (TRUST_PROXY=true turns it on)
 */
export function trustProxyFromEnv(): boolean {
  return /^(1|true|yes)$/i.test(process.env.TRUST_PROXY ?? '');
}

/**
 * The address a request came from, for per-client rate limits: the first hop of X-Forwarded-For
 * when a trusted proxy sets it, else the socket's peer.
 */
export function clientAddressOf(req: IncomingMessage, trustProxy = trustProxyFromEnv()): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first && first.length <= 100) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
