import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The visitor's address, vouched for by the portal's server when it calls the gateway on a
 * visitor's behalf (a sign-in form's lockout check, a failure report): without it every visitor
 * would count as the portal's own address in the per-address limits. The gateway believes it only
 * with a fresh HMAC of the secret the two share (CLIENT_ADDRESS_SECRET); anyone else's header is
 * ignored.
 */
export const CLIENT_ADDRESS_HEADER = 'x-wisp-client-address';
export const CLIENT_ADDRESS_PROOF_HEADER = 'x-wisp-client-proof';
/** How old a proof may be (clocks of the two hosts may differ a little). */
const MAX_AGE_MS = 60_000;
const ADDRESS = /^[0-9A-Fa-f:.]{2,64}$/;

const mac = (secret: string, at: number, address: string) => createHmac('sha256', secret).update(`${at}.${address}`).digest('base64url');

/** The headers that vouch for `address`, or none when there is no secret or it is not an IP address. */
export function vouchForClientAddress(secret: string | undefined, address: string, now = Date.now()): Record<string, string> {
  if (!secret || !ADDRESS.test(address)) return {};
  return { [CLIENT_ADDRESS_HEADER]: address, [CLIENT_ADDRESS_PROOF_HEADER]: `${now}.${mac(secret, now, address)}` };
}

/** The vouched address from a request's headers, or null when absent, stale, malformed or not signed with the secret. */
export function vouchedClientAddress(secret: string | undefined, headers: Record<string, string | string[] | undefined>, now = Date.now()): string | null {
  const address = headers[CLIENT_ADDRESS_HEADER];
  const proof = headers[CLIENT_ADDRESS_PROOF_HEADER];
  if (!secret || typeof address !== 'string' || typeof proof !== 'string' || !ADDRESS.test(address)) return null;
  const dot = proof.indexOf('.');
  const at = Number(proof.slice(0, dot));
  if (dot < 1 || !Number.isSafeInteger(at) || Math.abs(now - at) > MAX_AGE_MS) return null;
  const given = Buffer.from(proof.slice(dot + 1));
  const expected = Buffer.from(mac(secret, at, address));
  return given.length === expected.length && timingSafeEqual(given, expected) ? address : null;
}
