import { describe, expect, it } from 'vitest';
import { brandingContrast, contrastRatio, inkOn, isHexColor, luminance } from './contrast.ts';

describe('WCAG 2.1 contrast', () => {
  it('gives the reference ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#fff', '#fff')).toBe(1);
    // The classic AA boundary: #767676 on white is 4.54:1, #777777 is 4.48:1.
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(luminance('#ffffff')).toBe(1);
    expect(luminance('#000')).toBe(0);
  });

  it('is symmetric and reads short and alpha forms', () => {
    expect(contrastRatio('#1d4ed8', '#f3f7ff')).toBe(contrastRatio('#f3f7ff', '#1d4ed8'));
    expect(contrastRatio('#abc', '#fff')).toBe(contrastRatio('#aabbcc', '#ffffff'));
    expect(contrastRatio('#aabbccff', '#fff')).toBe(contrastRatio('#aabbcc', '#ffffff'));
  });

  it('accepts only hex colours', () => {
    for (const ok of ['#abc', '#abcd', '#aabbcc', '#aabbccdd']) expect(isHexColor(ok), ok).toBe(true);
    for (const bad of ['red', '#ab', '#abcde', 'aabbcc', '#ggg', '#fff;}', null, 3]) expect(isHexColor(bad), String(bad)).toBe(false);
  });

  it('flags the pairs below AA', () => {
    const checks = brandingContrast({ primary: '#ffff00', accent: '#777777', background: '#ffffff', text: '#767676' });
    expect(checks.map((c) => [c.pair, c.passesAA])).toEqual([
      ['text/background', true],
      ['primary/onPrimary', true],
      ['accent/background', false],
    ]);
    expect(inkOn('#ffff00')).toBe('#111111');
    expect(inkOn('#1d4ed8')).toBe('#ffffff');
  });
});
