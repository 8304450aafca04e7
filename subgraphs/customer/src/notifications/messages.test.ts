import { SUPPORTED_LANGUAGES } from '@wisp/shared';
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { MESSAGES } from './messages.ts';

const SAMPLE = { number: 'SKY-1042', email: 'sam@example.com', inviter: 'Alice', account: 'SKY-10001', count: 2, title: 'No service', author: 'Dana', status: 'resolved', eta: '3:30 PM', window: 'Wed, Dec 9, 9–11 AM', time: 'Wed, Dec 9 at 9 AM', phone: 'none', company: 'Skyline', name: 'Bob', category: 'outages', url: 'https://x.example', body: 'Crew on site' };

describe('notification catalogues', () => {
  it('cover every message in every language customers can pick, and each one formats', () => {
    const keys = Object.keys(MESSAGES.en).sort();
    for (const { code } of SUPPORTED_LANGUAGES) {
      const catalogue = (MESSAGES as Record<string, Record<string, string>>)[code];
      expect(catalogue, code).toBeDefined();
      expect(Object.keys(catalogue!).sort(), code).toEqual(keys);
      for (const [key, message] of Object.entries(catalogue!)) {
        const text = new IntlMessageFormat(message, code).format(SAMPLE) as string;
        expect(text.length, `${code} ${key}`).toBeGreaterThan(0);
        expect(text, `${code} ${key}`).not.toMatch(/[{}]/);
      }
    }
  });
});
