import { contrastRatio as wcagContrast, DARK_INK, inkOn, LIGHT_INK, luminance, mixHex as sharedMixHex } from '@wisp/shared/contrast';
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

/** WCAG relative luminance of a hex colour, 0 (black) to 1 (white): the shared implementation. */
export function relativeLuminance(hex: string): number {
  return luminance(hex);
}

/** WCAG 2.1 contrast ratio of two hex colours (the same function the server reports with). */
export const contrastRatio = wcagContrast;

export { DARK_INK, LIGHT_INK };

/** Whichever of white or near-black text reads better on `background`. */
export function readableOn(background: string): string {
  return inkOn(background);
}

/** `a` moved `amount` (0..1) of the way towards `b`, as `#rrggbb` (the shared implementation the contrast check mixes with). */
export const mixHex = sharedMixHex;

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

/**
 * A `<style>` element for a tenant's custom CSS, after the theme so it can override it. The tenant
 * subgraph already reduced the CSS to a safe subset; anything that could still end the element is
 * dropped here as well rather than trusted.
 */
export function tenantCustomCss(css: string | null | undefined): string | null {
  if (!css || /<|\\/.test(css)) return null;
  return `<style id="tenant-custom-css">${css}</style>`;
}
