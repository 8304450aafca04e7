import { describe, expect, it } from 'vitest';
import { NEUTRAL_COLORS, readableOn, safeColor, themeCss, themeVariables } from '../src/lib/theme';

describe('tenant theme', () => {
  it('picks white text on dark brand colours and dark text on light ones', () => {
    expect(readableOn('#1d4ed8')).toBe('#ffffff');
    expect(readableOn('#166534')).toBe('#ffffff');
    expect(readableOn('#facc15')).toBe('#111111');
    expect(readableOn('#fff')).toBe('#111111');
  });

  it('only lets hex colours through', () => {
    expect(safeColor('#0f766e', '#000')).toBe('#0f766e');
    expect(safeColor('#abc', '#000')).toBe('#abc');
    expect(safeColor('red', '#000')).toBe('#000');
    expect(safeColor('#12345', '#000')).toBe('#12345');
    expect(safeColor('#1234567890', '#000')).toBe('#000');
    expect(safeColor(null, '#000')).toBe('#000');
  });

  it('cannot be used to break out of the style element', () => {
    const css = themeCss({
      primary: 'red;}</style><script>alert(1)</script>',
      secondary: '#0f766e',
      accent: 'url(javascript:alert(1))',
      background: '#fff;}body{display:none',
      text: '#0f172a',
    });
    expect(css).not.toMatch(/<|>|script|url\(|display/);
    expect(css).toContain(`--color-primary:${NEUTRAL_COLORS.primary};`);
    expect(css).toContain('--color-secondary:#0f766e;');
    expect(css).toContain(`--color-bg:${NEUTRAL_COLORS.background};`);
  });

  it('gives two tenants different variables', () => {
    const skyline = themeVariables({ primary: '#1d4ed8', secondary: '#0f766e', accent: '#0e7490', background: '#f3f7ff', text: '#0f172a' });
    const prairie = themeVariables({ primary: '#166534', secondary: '#b45309', accent: '#a16207', background: '#fbf8ef', text: '#1c1917' });
    expect(skyline['--color-primary']).not.toBe(prairie['--color-primary']);
    expect(skyline['--color-on-primary']).toBe('#ffffff');
  });
});
