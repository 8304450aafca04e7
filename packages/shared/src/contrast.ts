/**
 * WCAG 2.1 contrast, the one implementation used by the tenant subgraph (ratios returned from
 * `updateBranding`) and the portal (the admin's live preview). Pure: no Node or browser APIs.
 */

/** The ratio WCAG 2.1 AA asks of normal-size text. @default 4.5 */
export const WCAG_AA_NORMAL = 4.5;

const HEX = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;

/** True for `#rgb`, `#rgba`, `#rrggbb` or `#rrggbbaa`. */
export function isHexColor(value: unknown): value is string {
  return typeof value === 'string' && HEX.test(value);
}

/** Red, green and blue in 0..255 of a hex colour (alpha ignored); null for anything else. */
export function hexToRgb(hex: string): [number, number, number] | null {
  if (!isHexColor(hex)) return null;
  let digits = hex.slice(1);
  if (digits.length <= 4) digits = [...digits.slice(0, 3)].map((d) => d + d).join('');
  else digits = digits.slice(0, 6);
  const n = Number.parseInt(digits, 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** WCAG 2.1 relative luminance, 0 (black) to 1 (white); 0 for a malformed colour. */
export function luminance(hex: string): number {
  const rgb = hexToRgb(hex);
  if (!rgb) return 0;
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The contrast ratio of two colours, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const la = luminance(a);
  const lb = luminance(b);
  const [hi, lo] = la > lb ? [la, lb] : [lb, la];
  return (hi + 0.05) / (lo + 0.05);
}

export const LIGHT_INK = '#ffffff';
export const DARK_INK = '#111111';

/** Whichever of white or near-black text reads better on `background`: the portal's button text. */
export function inkOn(background: string): string {
  return contrastRatio(background, LIGHT_INK) >= contrastRatio(background, DARK_INK) ? LIGHT_INK : DARK_INK;
}

/** One pair of colours a customer will read, with its ratio. */
export interface ContrastCheck {
  /** `text/background`, `primary/onPrimary` or `accent/background`. */
  pair: 'text/background' | 'primary/onPrimary' | 'accent/background';
  foreground: string;
  background: string;
  /** Rounded to two decimals. */
  ratio: number;
  /** True when the ratio meets WCAG 2.1 AA for normal text (4.5:1). */
  passesAA: boolean;
}

/** The three pairs the portal relies on: body text, buttons, and accent links/outlines on the page. */
export function brandingContrast(colors: { primary: string; accent: string; background: string; text: string }): ContrastCheck[] {
  const check = (pair: ContrastCheck['pair'], foreground: string, background: string): ContrastCheck => {
    const ratio = Math.round(contrastRatio(foreground, background) * 100) / 100;
    return { pair, foreground, background, ratio, passesAA: ratio >= WCAG_AA_NORMAL };
  };
  return [
    check('text/background', colors.text, colors.background),
    check('primary/onPrimary', inkOn(colors.primary), colors.primary),
    check('accent/background', colors.accent, colors.background),
  ];
}
