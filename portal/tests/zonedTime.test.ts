import { describe, expect, it } from 'vitest';
import { zonedToUtc } from '../src/lib/server/zonedTime.ts';

describe('a wall-clock time in a WISP’s zone', () => {
  it('names the right moment, across daylight saving too', () => {
    expect(zonedToUtc('2026-12-04T15:00', 'America/Chicago')?.toISOString()).toBe('2026-12-04T21:00:00.000Z');
    expect(zonedToUtc('2026-07-04T15:00', 'America/Chicago')?.toISOString()).toBe('2026-07-04T20:00:00.000Z');
    expect(zonedToUtc('2026-12-04T15:00', 'Europe/Madrid')?.toISOString()).toBe('2026-12-04T14:00:00.000Z');
    expect(zonedToUtc('2026-12-04T15:00', null)?.toISOString()).toBe('2026-12-04T15:00:00.000Z');
    expect(zonedToUtc('tomorrow', 'America/Chicago')).toBeNull();
  });
});
