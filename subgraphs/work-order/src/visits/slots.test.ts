import { describe, expect, it } from 'vitest';
import { localDate, parseSlotId, slotAt, slotId, slotsBetween, zonedInstant } from './slots.ts';

const NY = 'America/New_York';
const cap = { timeZone: NY, slots: [1, 2, 3, 4, 5, 6, 7].flatMap((weekday) => [{ weekday, start: '08:00', end: '10:00' }, { weekday, start: '15:00', end: '17:00' }]), blackoutDates: ['2026-12-25'] };

describe('visit slots in the tenant time zone', () => {
  it('keep their local hours across daylight-saving changes', () => {
    // 2026-03-08: clocks jump from 02:00 to 03:00 in New York; 2026-11-01: back from 02:00 to 01:00.
    const before = slotsBetween(cap, new Date('2026-03-07T00:00:00Z'), new Date('2026-03-09T23:00:00Z'));
    expect(before.map((s) => s.start.toISOString())).toEqual([
      '2026-03-07T13:00:00.000Z', '2026-03-07T20:00:00.000Z',
      '2026-03-08T12:00:00.000Z', '2026-03-08T19:00:00.000Z',
      '2026-03-09T12:00:00.000Z', '2026-03-09T19:00:00.000Z',
    ]);
    const autumn = slotsBetween(cap, new Date('2026-10-31T00:00:00Z'), new Date('2026-11-02T00:00:00Z'));
    expect(autumn.map((s) => s.start.toISOString())).toEqual(['2026-10-31T12:00:00.000Z', '2026-10-31T19:00:00.000Z', '2026-11-01T13:00:00.000Z', '2026-11-01T20:00:00.000Z']);
    expect(autumn.every((s) => s.end.getTime() - s.start.getTime() === 2 * 3600_000)).toBe(true);
  });

  it('moves a skipped local time past the jump and takes the first of a repeated one', () => {
    expect(zonedInstant('2026-03-08', '02:30', NY).toISOString()).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    expect(zonedInstant('2026-11-01', '01:30', NY).toISOString()).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT, the first
    expect(localDate(new Date('2026-03-08T04:30:00Z'), NY)).toBe('2026-03-07');
  });

  it('leaves out blackout dates, recognises only template starts, and ids carry the tenant', () => {
    expect(slotsBetween(cap, new Date('2026-12-25T00:00:00Z'), new Date('2026-12-26T04:00:00Z'))).toEqual([]);
    expect(slotAt(cap, new Date('2026-03-09T12:00:00Z'))?.end.toISOString()).toBe('2026-03-09T14:00:00.000Z');
    expect(slotAt(cap, new Date('2026-03-09T13:00:00Z'))).toBeNull();
    const id = slotId('0123456789abcdef01234567', new Date('2026-03-09T12:00:00Z'));
    expect(parseSlotId(id)).toEqual({ tenantId: '0123456789abcdef01234567', start: new Date('2026-03-09T12:00:00Z') });
    expect(parseSlotId('nonsense')).toBeNull();
  });
});
