import { createHmac, timingSafeEqual } from 'node:crypto';
import { CATEGORIES, type Category, type Channel } from './preferences.ts';

/**
 * The token of a notification email's unsubscribe link: which customer, which category, which
 * channel, signed so that nobody can turn off another customer's messages. It does not expire:
 * an unsubscribe link has to keep working for as long as the email is kept.
 */
export interface UnsubscribeFacts {
  customerId: string;
  category: Category;
  channel: Channel;
}

const keyOf = (secret: string) => createHmac('sha256', secret).update('notification-unsubscribe').digest();
const sign = (secret: string, body: string) => createHmac('sha256', keyOf(secret)).update(body).digest('base64url').slice(0, 32);

export function signUnsubscribeToken(facts: UnsubscribeFacts, secret: string): string {
  const body = `${facts.customerId}.${facts.category}.${facts.channel}`;
  return `${body}.${sign(secret, body)}`;
}

export function verifyUnsubscribeToken(token: string, secret: string): UnsubscribeFacts | null {
  if (typeof token !== 'string' || token.length > 200) return null;
  const parts = token.split('.');
  if (parts.length !== 4) return null;
  const [customerId, category, channel, signature] = parts as [string, string, string, string];
  if (!/^[0-9a-f]{24}$/.test(customerId) || !(CATEGORIES as readonly string[]).includes(category) || (channel !== 'EMAIL' && channel !== 'SMS')) return null;
  const expected = Buffer.from(sign(secret, `${customerId}.${category}.${channel}`));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { customerId, category: category as Category, channel };
}
