import type { BrandColors } from './branding';

/** The palette used when a tenant's colour is missing or malformed: calm, vendor-free greys and blue. */
export const NEUTRAL_COLORS: BrandColors = {
  primary: '#3a4a5c',
  secondary: '#5b6b7d',
  accent: '#2f80c0',
  background: '#f5f6f8',
  text: '#1c2430',
};

const HEX_COLOR = /^#[0-9a-fA-F]{3,8}$/;

/** `value` when it is a plain hex colour (the only form emitted into CSS), otherwise `fallback`. */
export function safeColor(value: string | null | undefined, fallback: string): string {
  return typeof value === 'string' && HEX_COLOR.test(value) ? value : fallback;
}

/** Red, green and blue in 0..255 from a `#rgb`, `#rgba`, `#rrggbb` or `#rrggbbaa` colour; null otherwise. */
export function parseHex(hex: string): [number, number, number] | null {
  if (!HEX_COLOR.test(hex)) return null;
  let digits = hex.slice(1);
  if (digits.length === 3 || digits.length === 4) {
    digits = [...digits.slice(0, 3)].map((d) => d + d).join('');
  } else if (digits.length === 8) {
    digits = digits.slice(0, 6);
  } else if (digits.length !== 6) {
    return null;
  }
  const n = Number.parseInt(digits, 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** WCAG relative luminance of a hex colour, 0 (black) to 1 (white). */
export function relativeLuminance(hex: string): number {
  const rgb = parseHex(hex);
  if (!rgb) return 0;
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrastRatio(a: number, b: number): number {
  const [hi, lo] = a > b ? [a, b] : [b, a];
  return (hi + 0.05) / (lo + 0.05);
}

const LIGHT_INK = '#ffffff';
const DARK_INK = '#111111';

/** Whichever of white or near-black text reads better on `background`. */
export function readableOn(background: string): string {
  const l = relativeLuminance(background);
  return contrastRatio(l, relativeLuminance(LIGHT_INK)) >= contrastRatio(l, relativeLuminance(DARK_INK))
    ? LIGHT_INK
    : DARK_INK;
}

/** `a` moved `amount` (0..1) of the way towards `b`, as `#rrggbb`. */
export function mixHex(a: string, b: string, amount: number): string {
  const from = parseHex(a) ?? [0, 0, 0];
  const to = parseHex(b) ?? [0, 0, 0];
  const channel = (i: 0 | 1 | 2) => Math.round(from[i] + (to[i] - from[i]) * amount);
  return `#${[channel(0), channel(1), channel(2)].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/** The CSS custom properties a tenant's colours become, every value validated. */
export function themeVariables(colors: Partial<BrandColors> | null | undefined): Record<string, string> {
  const primary = safeColor(colors?.primary, NEUTRAL_COLORS.primary);
  const secondary = safeColor(colors?.secondary, NEUTRAL_COLORS.secondary);
  const accent = safeColor(colors?.accent, NEUTRAL_COLORS.accent);
  const background = safeColor(colors?.background, NEUTRAL_COLORS.background);
  const text = safeColor(colors?.text, NEUTRAL_COLORS.text);
  const lightBackground = relativeLuminance(background) > 0.4;
  return {
    '--color-primary': primary,
    '--color-secondary': secondary,
    '--color-accent': accent,
    '--color-bg': background,
    '--color-text': text,
    // Cards sit a step lighter than a light page (or a step towards the text on a dark one).
    '--color-surface': lightBackground ? mixHex(background, LIGHT_INK, 0.75) : mixHex(background, text, 0.08),
    // Errors stay red whatever the brand, in a shade that reads on the tenant's background.
    '--color-danger': lightBackground ? '#b3261e' : '#ff8a80',
    '--color-on-primary': readableOn(primary),
    '--color-on-secondary': readableOn(secondary),
    '--color-on-accent': readableOn(accent),
  };
}

/**
 * A `:root { ... }` rule for a `<style>` element. Safe to inline: names are fixed and every value
 * has passed the hex check, so nothing a tenant types can close the element or inject a rule.
 */
export function themeCss(colors: Partial<BrandColors> | null | undefined): string {
  const body = Object.entries(themeVariables(colors))
    .map(([name, value]) => `${name}:${value};`)
    .join('');
  return `:root{${body}}`;
}
