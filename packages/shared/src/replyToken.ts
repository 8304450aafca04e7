import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The token in a ticket email's `Reply-To` (`reply+<token>@<domain>`): which work order, which
 * customer, until when, signed with the installation's secret, so a reply lands in that one
 * conversation as that one customer and nobody can write an address for another.
 *
 * Layout: work order id (12 bytes) ‖ customer id (12) ‖ expiry day (2, days since 1970-01-01 UTC)
 * ‖ HMAC-SHA256 over the first 26 bytes, truncated to 10 bytes (80 bits). 36 bytes in lowercase
 * base32 without padding are 58 characters: `reply+` and the token fill the 64 characters a local
 * part may have, and an MTA that lower-cases addresses changes nothing.
 */
export interface ReplyTokenFacts {
  /** The work order's id (24 hex digits). */
  workOrderId: string;
  /** The customer's id (24 hex digits). */
  customerId: string;
  /** When replies stop being accepted; kept to the day, so read back it is the next UTC midnight at or after the one signed. */
  expiresAt: Date;
}

/** Why a token was not accepted. */
export type ReplyTokenRefusal = 'malformed' | 'bad-signature' | 'expired';

export type ReplyTokenCheck = { ok: true; facts: ReplyTokenFacts } | { ok: false; reason: ReplyTokenRefusal };

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const DAY_MS = 86_400_000;
const ID_BYTES = 12;
const FACT_BYTES = 2 * ID_BYTES + 2;
/** 80 bits: forging one means trying about 2^79 addresses against the inbound route. */
const MAC_BYTES = 10;
const TOKEN_BYTES = FACT_BYTES + MAC_BYTES;
/** Characters of a token: ceil(36 × 8 / 5). */
export const REPLY_TOKEN_LENGTH = Math.ceil((TOKEN_BYTES * 8) / 5);
const HEX24 = /^[0-9a-f]{24}$/i;

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** The bytes of a lowercase base32 string, or null when it has other characters or stray low bits. */
function unbase32(text: string): Buffer | null {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    const digit = ALPHABET.indexOf(ch);
    if (digit < 0) return null;
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  // The padding bits of the last character must be zero: one token, one spelling.
  if (value !== 0) return null;
  return Buffer.from(out);
}

// A key of its own for reply addresses, so the secret signs nothing else by accident.
const mac = (secret: string, facts: Buffer) => {
  const key = createHmac('sha256', secret).update('wisp-reply-token-v1').digest();
  return createHmac('sha256', key).update(facts).digest().subarray(0, MAC_BYTES);
};

/** A reply token for one customer on one work order, valid until `expiresAt` (rounded up to a UTC midnight). */
export function signReplyToken(facts: { workOrderId: string; customerId: string; expiresAt: Date }, secret: string): string {
  if (!HEX24.test(facts.workOrderId) || !HEX24.test(facts.customerId)) throw new TypeError('Reply tokens name a work order and a customer by their 24-hex ids.');
  const day = Math.ceil(facts.expiresAt.getTime() / DAY_MS);
  if (!Number.isInteger(day) || day < 0 || day > 0xffff) throw new RangeError('A reply token expires between 1970 and 2149.');
  const body = Buffer.alloc(FACT_BYTES);
  body.write(facts.workOrderId, 0, 'hex');
  body.write(facts.customerId, ID_BYTES, 'hex');
  body.writeUInt16BE(day, 2 * ID_BYTES);
  return base32(Buffer.concat([body, mac(secret, body)]));
}

/** Checks a reply token (any letter case) and says what it names, or why it is refused. */
export function verifyReplyToken(token: string, secret: string, now = new Date()): ReplyTokenCheck {
  if (typeof token !== 'string' || token.length !== REPLY_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const bytes = unbase32(token.toLowerCase());
  if (!bytes || bytes.length !== TOKEN_BYTES) return { ok: false, reason: 'malformed' };
  const body = bytes.subarray(0, FACT_BYTES);
  if (!timingSafeEqual(bytes.subarray(FACT_BYTES), mac(secret, body))) return { ok: false, reason: 'bad-signature' };
  const expiresAt = new Date(body.readUInt16BE(2 * ID_BYTES) * DAY_MS);
  if (now.getTime() >= expiresAt.getTime()) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    facts: { workOrderId: body.subarray(0, ID_BYTES).toString('hex'), customerId: body.subarray(ID_BYTES, 2 * ID_BYTES).toString('hex'), expiresAt },
  };
}

/** The reply address for a token: `reply+<token>@<domain>`. */
export function replyAddress(token: string, domain: string): string {
  return `reply+${token}@${domain}`;
}

/**
 * The token of a reply address, lower-cased, or null when the address is not one. Takes a bare
 * address or a header value with a display name and angle brackets (`"Support" <reply+…@…>`);
 * whether the token is valid is for {@link verifyReplyToken} to say.
 */
export function replyTokenFromAddress(address: string): string | null {
  if (typeof address !== 'string' || address.length > 1000) return null;
  const bracketed = /<([^<>]*)>\s*$/.exec(address);
  const bare = (bracketed ? bracketed[1]! : address).trim().replace(/^mailto:/i, '');
  const at = bare.lastIndexOf('@');
  if (at < 0) return null;
  const m = /^reply\+([^\s@"<>]+)$/i.exec(bare.slice(0, at));
  return m ? m[1]!.toLowerCase() : null;
}

/**
 * Largest inbound email request the gateway passes on and the messaging subgraph takes: a reply
 * with files up to the size mail providers hand over. @default 25 MiB
 */
export const MAX_INBOUND_EMAIL_BYTES = 25 * 1024 * 1024;

/** How this installation makes and checks reply addresses. */
export interface ReplyTokenSettings {
  /** The signing secret; null turns reply-by-email off (no reply addresses, inbound mail refused). */
  secret: string | null;
  /** The domain whose mail reaches the inbound route. @default "reply.localhost" */
  domain: string;
  /** How long a reply address keeps working after its email was sent. @default 30 */
  ttlDays: number;
}

/** Shortest accepted secret. @default 32 characters */
export const MIN_REPLY_TOKEN_SECRET_LENGTH = 32;

/** `REPLY_TOKEN_SECRET`, `REPLY_DOMAIN` and `REPLY_TOKEN_TTL_DAYS`; a secret that is set but short, or a bad number, fails loudly. */
export function replyTokenSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ReplyTokenSettings {
  const secret = env.REPLY_TOKEN_SECRET || null;
  if (secret !== null && secret.length < MIN_REPLY_TOKEN_SECRET_LENGTH) throw new Error(`REPLY_TOKEN_SECRET must be at least ${MIN_REPLY_TOKEN_SECRET_LENGTH} characters.`);
  const domain = (env.REPLY_DOMAIN || 'reply.localhost').trim().toLowerCase();
  if (!/^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/.test(domain)) throw new Error(`REPLY_DOMAIN must be a domain name, got "${domain}".`);
  const ttlRaw = env.REPLY_TOKEN_TTL_DAYS;
  const ttlDays = ttlRaw === undefined || ttlRaw === '' ? 30 : Number(ttlRaw);
  if (!Number.isInteger(ttlDays) || ttlDays < 1 || ttlDays > 3650) throw new Error(`REPLY_TOKEN_TTL_DAYS must be a whole number of days from 1 to 3650, got "${ttlRaw}".`);
  return { secret, domain, ttlDays };
}
