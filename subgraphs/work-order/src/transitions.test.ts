import { describe, expect, it } from 'vitest';
import { canTransition, TRANSITIONS } from './transitions.ts';

describe('the transition table', () => {
  it('ends at closed and cancelled, and never moves a work order to itself', () => {
    expect(TRANSITIONS.CLOSED).toEqual([]);
    expect(TRANSITIONS.CANCELLED).toEqual([]);
    for (const [from, to] of Object.entries(TRANSITIONS)) expect(to as readonly string[]).not.toContain(from);
  });

  it('allows the field-visit path and refuses shortcuts', () => {
    const path = ['OPEN', 'SCHEDULED', 'EN_ROUTE', 'ON_SITE', 'RESOLVED', 'CLOSED'];
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
    expect(canTransition('OPEN', 'CLOSED')).toBe(false);
    expect(canTransition('OPEN', 'ON_SITE')).toBe(false);
    expect(canTransition('CANCELLED', 'OPEN')).toBe(false);
    expect(canTransition('BOGUS', 'OPEN')).toBe(false);
  });
});
