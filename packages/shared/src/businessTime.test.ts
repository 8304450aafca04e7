import { describe, expect, it } from 'vitest';
import { addBusinessMinutes, DEFAULT_SLA_POLICY, slaPolicyProblems } from './businessTime.ts';

const hours = DEFAULT_SLA_POLICY.businessHours; // Mon–Fri 08:00–18:00
const at = (iso: string) => new Date(iso);

describe('business minutes', () => {
  it('counts only open hours, in the tenant’s zone', () => {
    // Tuesday 2026-12-01 17:00 in Denver (UTC-7) = 00:00Z next day; 2 h → 1 h Tuesday + 1 h Wednesday from 08:00.
    expect(addBusinessMinutes(at('2026-12-02T00:00:00Z'), 120, hours, 'America/Denver')!.toISOString()).toBe('2026-12-02T16:00:00.000Z');
    // Before opening: starts at 08:00.
    expect(addBusinessMinutes(at('2026-12-01T12:00:00Z'), 30, hours, 'America/Denver')!.toISOString()).toBe('2026-12-01T15:30:00.000Z');
  });

  it('skips the weekend', () => {
    // Friday 2026-12-04 17:30 Denver; 60 min → 30 Friday + 30 Monday from 08:00.
    expect(addBusinessMinutes(at('2026-12-05T00:30:00Z'), 60, hours, 'America/Denver')!.toISOString()).toBe('2026-12-07T15:30:00.000Z');
  });

  it('follows the wall clock across a daylight-saving change', () => {
    // Friday 2026-03-06 17:00 MST (UTC-7) + 2 h → Monday 2026-03-09 09:00 MDT (UTC-6) = 15:00Z.
    expect(addBusinessMinutes(at('2026-03-07T00:00:00Z'), 120, hours, 'America/Denver')!.toISOString()).toBe('2026-03-09T15:00:00.000Z');
  });

  it('counts every minute with no business hours, and gives up when no window ever opens', () => {
    expect(addBusinessMinutes(at('2026-12-05T00:30:00Z'), 60, [], 'UTC')!.toISOString()).toBe('2026-12-05T01:30:00.000Z');
    expect(addBusinessMinutes(at('2026-12-05T00:30:00Z'), 60, [{ day: 8, open: '08:00', close: '09:00' }], 'UTC')).toBeNull();
  });

  it('lists what is wrong with a policy', () => {
    expect(slaPolicyProblems(DEFAULT_SLA_POLICY)).toEqual([]);
    const bad = slaPolicyProblems({
      businessHours: [{ day: 0, open: '18:00', close: '08:00' }, { day: 2, open: '8am', close: '17:00' }],
      targets: [
        { priority: 'HIGH', firstResponseMinutes: 0, nextUpdateMinutes: 10, resolutionMinutes: 10 },
        { priority: 'HIGH', firstResponseMinutes: 5, nextUpdateMinutes: 10, resolutionMinutes: 10 },
      ],
    }).map((p) => p.field);
    expect(bad).toEqual(['businessHours.0.day', 'businessHours.0', 'businessHours.1', 'targets.0.firstResponseMinutes', 'targets.1.priority']);
  });
});
