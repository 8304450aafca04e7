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

/** `a` moved `amount` (0..1) of the way towards `b` channel by channel, as `#rrggbb`: CSS `color-mix(in srgb, a, b amount)`. */
export function mixHex(a: string, b: string, amount: number): string {
  const from = hexToRgb(a) ?? [0, 0, 0];
  const to = hexToRgb(b) ?? [0, 0, 0];
  const channel = (i: 0 | 1 | 2) => Math.round(from[i] + (to[i] - from[i]) * amount);
  return `#${[channel(0), channel(1), channel(2)].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * How much of the secondary colour the far end of the portal's header band holds: the band runs from
 * the primary colour to `color-mix(in srgb, primary 65%, secondary)`. @default 0.35
 */
export const HERO_SECONDARY_SHARE = 0.35;

/** One pair of colours a customer will read, with its ratio. */
export interface ContrastCheck {
  /**
   * `text/background` (body text), `primary/onPrimary` (button labels on primary buttons),
   * `accent/background` (accent text and outlines), `primary/background` (links: primary text on the
   * page) or `onPrimary/hero` (page headings on the primary-to-secondary header band, at its
   * secondary end).
   */
  pair: 'text/background' | 'primary/onPrimary' | 'accent/background' | 'primary/background' | 'onPrimary/hero';
  foreground: string;
  background: string;
  /** Rounded to two decimals. */
  ratio: number;
  /** True when the ratio meets WCAG 2.1 AA for normal text (4.5:1). */
  passesAA: boolean;
}

/** The colours a contrast check reads. */
export interface PaletteColors {
  primary: string;
  secondary: string;
  accent: string;
  background: string;
  text: string;
}

/**
 * The pairs the portal renders (app.css and the page shells): body text on the page, button labels
 * (`inkOn(primary)`) on primary, accent on the page, links (primary) on the page, and headings
 * (`inkOn(primary)`) on the header band where the secondary colour is mixed in.
 */
export function brandingContrast(colors: PaletteColors): ContrastCheck[] {
  const check = (pair: ContrastCheck['pair'], foreground: string, background: string): ContrastCheck => {
    const ratio = Math.round(contrastRatio(foreground, background) * 100) / 100;
    return { pair, foreground, background, ratio, passesAA: ratio >= WCAG_AA_NORMAL };
  };
  const onPrimary = inkOn(colors.primary);
  return [
    check('text/background', colors.text, colors.background),
    check('primary/onPrimary', onPrimary, colors.primary),
    check('accent/background', colors.accent, colors.background),
    check('primary/background', colors.primary, colors.background),
    check('onPrimary/hero', onPrimary, mixHex(colors.primary, colors.secondary, HERO_SECONDARY_SHARE)),
  ];
}

/** The checks of a palette below WCAG AA: what a save asks the admin to confirm. */
export function contrastFailures(colors: PaletteColors): ContrastCheck[] {
  return brandingContrast(colors).filter((c) => !c.passesAA);
}
