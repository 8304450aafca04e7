import { describe, expect, it } from 'vitest';
import { brandingContrast, contrastFailures, contrastRatio, inkOn, isHexColor, luminance, mixHex } from './contrast.ts';

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
    const checks = brandingContrast({ primary: '#7c2d12', secondary: '#5b6b7d', accent: '#777777', background: '#ffffff', text: '#767676' });
    expect(checks.map((c) => [c.pair, c.passesAA])).toEqual([
      ['text/background', true],
      ['primary/onPrimary', true],
      ['accent/background', false],
      ['primary/background', true],
      ['onPrimary/hero', true],
    ]);
    expect(inkOn('#ffff00')).toBe('#111111');
    expect(inkOn('#1d4ed8')).toBe('#ffffff');
  });

  it('checks the primary colour as link text on the page, not only behind button labels', () => {
    // A pale blue takes near-black button text (fine) but is a 1.8:1 link on white.
    const checks = brandingContrast({ primary: '#93c5fd', secondary: '#5b6b7d', accent: '#0369a1', background: '#ffffff', text: '#111827' });
    const byPair = Object.fromEntries(checks.map((c) => [c.pair, c]));
    expect(byPair['primary/onPrimary']).toMatchObject({ foreground: '#111111', background: '#93c5fd', passesAA: true });
    expect(byPair['primary/background']).toMatchObject({ foreground: '#93c5fd', background: '#ffffff', ratio: 1.8, passesAA: false });
    expect(contrastFailures({ primary: '#93c5fd', secondary: '#5b6b7d', accent: '#0369a1', background: '#ffffff', text: '#111827' }).map((c) => c.pair)).toEqual(['primary/background']);
  });

  it('checks the heading text on the header band where the secondary colour is mixed in', () => {
    // White headings read on the blue (6.7:1) but not where a yellow secondary lightens the band.
    const checks = brandingContrast({ primary: '#1d4ed8', secondary: '#fde047', accent: '#0369a1', background: '#ffffff', text: '#111827' });
    const hero = checks.find((c) => c.pair === 'onPrimary/hero')!;
    expect(hero).toMatchObject({ foreground: '#ffffff', background: mixHex('#1d4ed8', '#fde047', 0.35), passesAA: false });
    expect(hero.ratio).toBeLessThan(4.5);
    expect(checks.find((c) => c.pair === 'primary/onPrimary')!.passesAA).toBe(true);
    // The same primary with a dark secondary passes.
    expect(brandingContrast({ primary: '#1d4ed8', secondary: '#1e293b', accent: '#0369a1', background: '#ffffff', text: '#111827' }).every((c) => c.passesAA)).toBe(true);
  });

  it('mixes colours as CSS color-mix in srgb does', () => {
    expect(mixHex('#000000', '#ffffff', 0.35)).toBe('#595959');
    expect(mixHex('#1d4ed8', '#1d4ed8', 0.35)).toBe('#1d4ed8');
    expect(mixHex('#fff', '#000', 1)).toBe('#000000');
  });
});
