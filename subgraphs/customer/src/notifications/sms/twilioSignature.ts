import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Twilio's request signature (`X-Twilio-Signature`): the base64 HMAC-SHA1, keyed with the account's
 * auth token, of the full URL Twilio requested followed by every POST parameter's name and value,
 * sorted by name.
 */
export function twilioSignature(authToken: string, url: string, params: Iterable<[string, string]>): string {
  const pairs = [...params].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return createHmac('sha1', authToken)
    .update(url + pairs.map(([name, value]) => name + value).join(''), 'utf8')
    .digest('base64');
}

/** Whether a request's `X-Twilio-Signature` header is Twilio's for this URL and these parameters (compared in constant time). */
export function isTwilioSigned(authToken: string, header: string | string[] | undefined, url: string, params: Iterable<[string, string]>): boolean {
  if (typeof header !== 'string' || !header) return false;
  const expected = Buffer.from(twilioSignature(authToken, url, params));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
