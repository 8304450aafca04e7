import { describe, expect, it } from 'vitest';
import { momentInWords, nextCheckIn, reasonInWords, statusInWords } from '../src/lib/notifications/deliveryWords';
import type { NotificationDelivery } from '../src/lib/notifications/notificationFields';

const now = new Date('2026-03-04T18:00:00Z');
const words = (timeZone: string, more: { short?: boolean } = {}) => ({ timeZone, now, locale: 'en-US', ...more });
const delivery = (over: Partial<NotificationDelivery>): NotificationDelivery => ({
  id: 'n1',
  channel: 'EMAIL',
  category: 'TICKETS',
  kinds: ['ticket-received'],
  to: 'nora@example.com',
  subject: 'We received your ticket SKY-1042',
  status: 'SENT',
  reason: null,
  scheduledFor: null,
  sentAt: '2026-03-04T18:01:00Z',
  createdAt: '2026-03-04T18:00:30Z',
  workOrderId: 'w1',
  ...over,
});
// Intl separates the time from AM/PM with a narrow no-break space in current ICU versions.
const plain = (s: string) => s.replace(/\s/g, ' ');

describe('delivery log wording', () => {
  it('writes moments in words in the zone asked for, the day left out only where it is today', () => {
    expect(plain(momentInWords('2026-03-04T18:01:00Z', words('America/Chicago')))).toBe('Wed, Mar 4, 12:01 PM');
    expect(plain(momentInWords('2026-03-04T18:01:00Z', words('America/Chicago', { short: true })))).toBe('12:01 PM');
    // 8:00 in Chicago tomorrow is not today: the day stays.
    expect(plain(momentInWords('2026-03-05T14:00:00Z', words('America/Chicago', { short: true })))).toBe('Thu, Mar 5, 8:00 AM');
    expect(plain(momentInWords('2025-12-31T18:00:00Z', words('UTC')))).toBe('Wed, Dec 31, 2025, 6:00 PM');
    expect(momentInWords('not a date', words('UTC'))).toBe('');
    // A zone the browser does not know still gives words, in the reader's own zone.
    expect(momentInWords('2026-03-04T18:01:00Z', words('Mars/Olympus'))).toMatch(/Mar \d/);
  });

  it('tells a customer where each message stands, about themselves', () => {
    const zone = 'America/Chicago';
    expect(statusInWords(delivery({}), 'customer', words(zone)).text).toBe('Sent');
    const held = statusInWords(delivery({ channel: 'SMS', status: 'DEFERRED', reason: 'Quiet hours', scheduledFor: '2026-03-04T20:00:00Z', sentAt: null }), 'customer', words(zone));
    expect(plain(held.text)).toBe('Held until 2:00 PM — quiet hours');
    expect(held.tone).toBe('waiting');
    expect(statusInWords(delivery({ status: 'SKIPPED', reason: 'Email about outages turned off by the customer', sentAt: null }), 'customer', words(zone)).text).toBe(
      'Not sent — email about outages turned off',
    );
    expect(statusInWords(delivery({ channel: 'SMS', status: 'SKIPPED', reason: 'The customer replied STOP', sentAt: null }), 'customer', words(zone)).text).toBe('Not sent — you replied STOP');
    expect(statusInWords(delivery({ status: 'FAILED', reason: 'The mail server refused it' }), 'customer', words(zone)).tone).toBe('problem');
  });

  it('tells staff what went out, when, and why not', () => {
    expect(plain(statusInWords(delivery({}), 'staff', words('UTC')).text)).toBe('Emailed 6:01 PM · sent');
    expect(plain(statusInWords(delivery({ channel: 'SMS', status: 'DEFERRED', reason: 'Quiet hours', scheduledFor: '2026-03-05T08:00:00Z', sentAt: null }), 'staff', words('UTC')).text)).toBe(
      'SMS held until Thu, Mar 5, 8:00 AM (quiet hours)',
    );
    expect(statusInWords(delivery({ channel: 'SMS', status: 'SKIPPED', reason: 'The customer replied STOP', sentAt: null }), 'staff', words('UTC')).text).toBe('Not sent: customer replied STOP');
    expect(statusInWords(delivery({ status: 'SCHEDULED', sentAt: null }), 'staff', words('UTC')).text).toBe('Email waiting to be sent');
    expect(reasonInWords(null, 'staff')).toBe('no reason recorded');
  });

  it('looks again soon only while a message is due within minutes', () => {
    const t = now.getTime();
    expect(nextCheckIn([delivery({})], t)).toBeNull();
    expect(nextCheckIn([delivery({ status: 'SCHEDULED', scheduledFor: new Date(t + 300).toISOString() })], t)).toBe(2000);
    expect(nextCheckIn([delivery({ status: 'SCHEDULED', scheduledFor: new Date(t + 30_000).toISOString() })], t)).toBe(31_000);
    expect(nextCheckIn([delivery({ status: 'DEFERRED', scheduledFor: new Date(t + 5 * 60_000).toISOString() })], t)).toBe(60_000);
    // Held until morning: nothing to watch for now.
    expect(nextCheckIn([delivery({ status: 'DEFERRED', scheduledFor: new Date(t + 8 * 3600_000).toISOString() })], t)).toBeNull();
  });
});
