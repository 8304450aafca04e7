import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { DEFAULT_MAX_IDENTITY_AGE_MS, IDENTITY_TS_HEADER } from './identity.ts';

export const USER_AGENT_HEADER = 'x-wisp-user-agent';
export const USER_AGENT_SIG_HEADER = 'x-wisp-user-agent-sig';

/** Longest user agent forwarded; longer ones are cut (they are only recorded, never parsed). */
export const MAX_USER_AGENT_LENGTH = 300;

const sign = (secret: string, ts: string, payload: string) => createHmac('sha256', secret).update(`${ts}.user-agent.${payload}`).digest('base64url');

function header(headers: IncomingHttpHeaders | Headers, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const v = (headers as IncomingHttpHeaders)[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Headers carrying the caller's user agent from the gateway to a subgraph (for the audit trail),
 * signed like the client address and bound to the identity's timestamp header.
 */
export function signUserAgentHeaders(userAgent: string, secret: string, ts: string): Record<string, string> {
  const payload = Buffer.from(userAgent.slice(0, MAX_USER_AGENT_LENGTH)).toString('base64url');
  return { [USER_AGENT_HEADER]: payload, [USER_AGENT_SIG_HEADER]: sign(secret, ts, payload) };
}

/** The caller's user agent as the gateway signed it, or null when absent or not validly signed. */
export function verifyUserAgent(
  headers: IncomingHttpHeaders | Headers,
  secret: string,
  { now = Date.now(), maxAgeMs = DEFAULT_MAX_IDENTITY_AGE_MS }: { now?: number; maxAgeMs?: number } = {},
): string | null {
  const payload = header(headers, USER_AGENT_HEADER);
  const sig = header(headers, USER_AGENT_SIG_HEADER);
  const ts = header(headers, IDENTITY_TS_HEADER);
  if (!payload || !sig || !ts) return null;
  const expected = Buffer.from(sign(secret, ts, payload));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const at = Number(ts);
  if (!Number.isFinite(at) || Math.abs(now - at) > maxAgeMs) return null;
  const ua = Buffer.from(payload, 'base64url').toString('utf8');
  return ua.length > 0 && ua.length <= MAX_USER_AGENT_LENGTH ? ua : null;
}
