import { isLanguage, isTimeZone, SUPPORTED_LANGUAGES } from '@wisp/shared';
import { isHexColor } from '@wisp/shared/contrast';
import type { Models } from '../models/index.ts';
import { markdownProblem } from './renderMarkdown.ts';
import { sanitizeCss } from './sanitizeCss.ts';

/** A tenant's branding as stored: the shape of `Tenant.branding` and of every history snapshot. */
export interface BrandingSnapshot {
  companyName: string;
  displayName: string;
  logoUrl?: string | null;
  logoAlt?: string | null;
  faviconUrl?: string | null;
  colors: { primary: string; secondary: string; accent: string; background: string; text: string };
  supportEmail?: string | null;
  supportPhone?: string | null;
  supportHours?: string | null;
  website?: string | null;
  /** The billing system's own payment page (https) behind the portal's Pay link. */
  paymentPageUrl?: string | null;
  welcomeMessage?: string | null;
  footerText?: string | null;
  customCss?: string | null;
  faq?: { question: string; answer: string }[] | null;
  contact?: string | null;
  /** IANA time zone the WISP's messages write times in, e.g. America/Chicago. */
  timeZone?: string | null;
  /** Language of messages to customers who chose none (a SUPPORTED_LANGUAGES code). */
  defaultLanguage?: string | null;
  /** Languages the portal offers, in order; absent or empty: every supported language. */
  portalLanguages?: string[] | null;
  /** Display name of the WISP's email sender. */
  mailFromName?: string | null;
  /** Address the WISP's email is sent from. */
  mailFromAddress?: string | null;
  /** Sender of the WISP's texts: an E.164 number or an alphanumeric sender id. */
  smsSenderId?: string | null;
}

/** What `updateBranding` accepts: every field optional; null or "" clears an optional field. */
export interface BrandingInput {
  companyName?: string | null;
  displayName?: string | null;
  logoUrl?: string | null;
  logoAlt?: string | null;
  faviconUrl?: string | null;
  colors?: Partial<Record<keyof BrandingSnapshot['colors'], string | null>> | null;
  supportEmail?: string | null;
  supportPhone?: string | null;
  supportHours?: string | null;
  website?: string | null;
  paymentPageUrl?: string | null;
  welcomeMessage?: string | null;
  footerText?: string | null;
  customCss?: string | null;
  faq?: { question: string; answer: string }[] | null;
  contact?: string | null;
  timeZone?: string | null;
  defaultLanguage?: string | null;
  portalLanguages?: string[] | null;
  mailFromName?: string | null;
  mailFromAddress?: string | null;
  smsSenderId?: string | null;
}

export interface FieldError {
  field: string;
  message: string;
  code: 'BAD_USER_INPUT';
}

/** Longest value of each text field. */
export const TEXT_LIMITS = {
  companyName: 100,
  displayName: 120,
  logoAlt: 150,
  supportEmail: 254,
  supportPhone: 40,
  supportHours: 120,
  website: 2048,
  paymentPageUrl: 2048,
  welcomeMessage: 500,
  footerText: 300,
  contact: 2000,
  faqQuestion: 300,
  faqAnswer: 5000,
  url: 2048,
  timeZone: 64,
  defaultLanguage: 16,
  mailFromName: 80,
  mailFromAddress: 254,
  smsSenderId: 16,
} as const;
/** Most FAQ entries on a support page. @default 50 */
export const MAX_FAQ_ENTRIES = 50;

/** The fields compared for the audit trail, in display order. */
export const BRANDING_FIELDS = [
  'companyName', 'displayName', 'logoUrl', 'logoAlt', 'faviconUrl',
  'colors.primary', 'colors.secondary', 'colors.accent', 'colors.background', 'colors.text',
  'supportEmail', 'supportPhone', 'supportHours', 'website', 'paymentPageUrl', 'welcomeMessage', 'footerText',
  'customCss', 'faq', 'contact',
  'timeZone', 'defaultLanguage', 'portalLanguages', 'mailFromName', 'mailFromAddress', 'smsSenderId',
] as const;

const ASSET_PATH = /^\/assets\/([0-9a-f]{64})\.(png|jpg|webp|ico|svg)$/;
// An https address already in the form browsers and the portal's link check take as is.
const PLAIN_HTTPS = /^https:\/\/[^\s"'<>\\]+$/i;
const RELATIVE_PATH = /^\/[A-Za-z0-9_][A-Za-z0-9._/-]*$/;
const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;
const PHONE = /^[+0-9 ().-]{3,}$/;
// Control characters other than tab and newline have no place in any branding text.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;
// Sender fields go into mail headers: no line break of any kind (header injection), no tab, no C1 control.
const HEADER_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// What would end or escape the quoted display name of a From header.
const DISPLAY_NAME_UNSAFE = /["\\<>]/;
// A bare address (dot-atom local part, dotted host name): no display name, comments or second recipient.
const MAIL_ADDRESS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]$/;
// A zone name, not an offset such as +05:00 (which some runtimes also accept).
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\/-]*$/;
const E164 = /^\+[1-9][0-9]{7,14}$/;
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{3,11}$/;

/** A zone as the runtime spells it when only the letter case differs (america/chicago → America/Chicago); aliases stay as written. */
function canonicalCase(zone: string): string {
  const resolved = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
  return resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
}

/** The value stored for a field, by dotted name. */
export function fieldValue(b: BrandingSnapshot, field: string): unknown {
  if (field.startsWith('colors.')) return b.colors[field.slice(7) as keyof BrandingSnapshot['colors']];
  const v = (b as unknown as Record<string, unknown>)[field];
  if (field === 'portalLanguages') return Array.isArray(v) && v.length ? [...v] : null;
  if (field === 'faq') return Array.isArray(v) && v.length ? (v as { question: string; answer: string }[]).map(({ question, answer }) => ({ question, answer })) : null;
  return v === undefined || v === '' ? null : v;
}

/** The audit entries between two snapshots: each changed field with its old and new value as JSON. */
export function diffBranding(before: BrandingSnapshot, after: BrandingSnapshot) {
  const changes: { field: string; from: string | null; to: string | null }[] = [];
  for (const field of BRANDING_FIELDS) {
    const a = fieldValue(before, field);
    const b = fieldValue(after, field);
    const from = a === null ? null : JSON.stringify(a);
    const to = b === null ? null : JSON.stringify(b);
    if (from !== to) changes.push({ field, from, to });
  }
  return changes;
}

/**
 * Applies `input` to `current`, checking every field. Returns the new snapshot only when there are
 * no errors, so a rejected request can never leave half of its changes behind.
 */
export async function validateBranding(
  models: Models,
  current: BrandingSnapshot,
  input: BrandingInput,
): Promise<{ ok: true; next: BrandingSnapshot } | { ok: false; errors: FieldError[] }> {
  const errors: FieldError[] = [];
  const fail = (field: string, message: string) => errors.push({ field, message, code: 'BAD_USER_INPUT' });
  const next: BrandingSnapshot = structuredClone({ ...current, colors: { ...current.colors }, faq: (current.faq ?? []).map(({ question, answer }) => ({ question, answer })) });
  const has = (key: keyof BrandingInput) => Object.prototype.hasOwnProperty.call(input, key) && input[key] !== undefined;

  const text = (field: string, value: unknown, max: number, required: boolean): string | null | undefined => {
    if (value === null || value === '') {
      if (required) fail(field, 'This field is required.');
      return null;
    }
    if (typeof value !== 'string') return void fail(field, 'Must be text.');
    const trimmed = value.trim();
    if (required && !trimmed) return void fail(field, 'This field is required.');
    if (trimmed.length > max) return void fail(field, `At most ${max} characters.`);
    if (CONTROL.test(trimmed)) return void fail(field, 'Contains characters that are not allowed.');
    return trimmed || null;
  };

  // Checked before trimming: a line break anywhere, even at the end, is an attempt at another header.
  const headerText = (field: string, value: unknown, max: number) => {
    if (typeof value === 'string' && HEADER_UNSAFE.test(value)) return void fail(field, 'Line breaks and control characters are not allowed.');
    return text(field, value, max, false);
  };

  const assetUrl = async (field: string, value: unknown) => {
    const url = text(field, value, TEXT_LIMITS.url, false);
    if (!url) return url;
    const asset = ASSET_PATH.exec(url);
    if (asset) {
      const found = await models.Asset.exists({ sha256: asset[1], ext: asset[2] });
      if (!found) return void fail(field, 'No uploaded file has this address; upload it first.');
      return url;
    }
    if (url.startsWith('/')) {
      if (!RELATIVE_PATH.test(url) || url.includes('..') || url.includes('//')) return void fail(field, 'Not a valid path on this portal.');
      return url;
    }
    return httpsUrl(field, url);
  };

  const httpsUrl = (field: string, url: string) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return void fail(field, 'Must be an https:// address.');
    }
    if (parsed.protocol !== 'https:' || !parsed.hostname || parsed.username || parsed.password) return void fail(field, 'Must be an https:// address.');
    // Stored as the admin wrote it (no added trailing slash or lower-cased host), so saving an
    // untouched form changes nothing; only a form the URL parser had to repair is stored repaired.
    return PLAIN_HTTPS.test(url) ? url : parsed.href;
  };

  for (const [key, max, required] of [
    ['companyName', TEXT_LIMITS.companyName, true],
    ['displayName', TEXT_LIMITS.displayName, true],
    ['logoAlt', TEXT_LIMITS.logoAlt, false],
    ['supportHours', TEXT_LIMITS.supportHours, false],
    ['welcomeMessage', TEXT_LIMITS.welcomeMessage, false],
    ['footerText', TEXT_LIMITS.footerText, false],
  ] as const) {
    if (has(key)) {
      const v = text(key, input[key], max, required);
      if (v !== undefined) (next as unknown as Record<string, unknown>)[key] = v;
    }
  }

  for (const key of ['logoUrl', 'faviconUrl'] as const) {
    if (has(key)) {
      const v = await assetUrl(key, input[key]);
      if (v !== undefined) next[key] = v;
    }
  }

  if (has('website')) {
    const v = text('website', input.website, TEXT_LIMITS.website, false);
    if (v) {
      const url = httpsUrl('website', v);
      if (url) next.website = url;
    } else if (v === null) next.website = null;
  }

  if (has('paymentPageUrl')) {
    const v = text('paymentPageUrl', input.paymentPageUrl, TEXT_LIMITS.paymentPageUrl, false);
    if (v) {
      const url = httpsUrl('paymentPageUrl', v);
      if (url) next.paymentPageUrl = url;
    } else if (v === null) next.paymentPageUrl = null;
  }

  if (has('supportEmail')) {
    const v = text('supportEmail', input.supportEmail, TEXT_LIMITS.supportEmail, false);
    if (v && !EMAIL.test(v)) fail('supportEmail', 'Not a valid email address.');
    else if (v !== undefined) next.supportEmail = v;
  }

  if (has('supportPhone')) {
    const v = text('supportPhone', input.supportPhone, TEXT_LIMITS.supportPhone, false);
    if (v && !PHONE.test(v)) fail('supportPhone', 'Use digits, spaces, +, -, . and brackets only.');
    else if (v !== undefined) next.supportPhone = v;
  }

  // Notification settings: what the WISP's email and texts to customers go out as.
  if (has('timeZone')) {
    const v = text('timeZone', input.timeZone, TEXT_LIMITS.timeZone, false);
    if (v && (!ZONE_NAME.test(v) || !isTimeZone(v))) fail('timeZone', 'Use an IANA time zone such as America/Chicago.');
    else if (v !== undefined) next.timeZone = v && canonicalCase(v);
  }

  if (has('defaultLanguage')) {
    const v = text('defaultLanguage', input.defaultLanguage, TEXT_LIMITS.defaultLanguage, false);
    if (v && !isLanguage(v)) fail('defaultLanguage', `Use one of ${SUPPORTED_LANGUAGES.map((l) => l.code).join(', ')}.`);
    else if (v !== undefined) next.defaultLanguage = v;
  }

  if (has('portalLanguages')) {
    const codes = (input.portalLanguages ?? []).map((c) => (typeof c === 'string' ? c.trim().toLowerCase() : ''));
    const unknown = codes.find((c) => !isLanguage(c));
    if (codes.length > SUPPORTED_LANGUAGES.length * 2 || unknown !== undefined) fail('portalLanguages', `Use codes from ${SUPPORTED_LANGUAGES.map((l) => l.code).join(', ')}.`);
    // All of them is the same as none chosen: languages added to the platform later are offered too.
    else {
      const unique = [...new Set(codes)];
      next.portalLanguages = unique.length === SUPPORTED_LANGUAGES.length ? [] : unique;
    }
  }
  // The language a customer who chose none reads must be one the portal offers.
  if ((has('portalLanguages') || has('defaultLanguage')) && next.defaultLanguage && next.portalLanguages?.length && !next.portalLanguages.includes(next.defaultLanguage)) {
    fail(has('defaultLanguage') ? 'defaultLanguage' : 'portalLanguages', 'The default language must be one of the languages the portal offers.');
  }

  if (has('mailFromName')) {
    const v = headerText('mailFromName', input.mailFromName, TEXT_LIMITS.mailFromName);
    if (v && DISPLAY_NAME_UNSAFE.test(v)) fail('mailFromName', 'Quotes, backslashes, < and > are not allowed in a sender name.');
    else if (v !== undefined) next.mailFromName = v;
  }

  if (has('mailFromAddress')) {
    const v = headerText('mailFromAddress', input.mailFromAddress, TEXT_LIMITS.mailFromAddress);
    if (v && (!MAIL_ADDRESS.test(v) || v.indexOf('@') > 64)) fail('mailFromAddress', 'Use a plain email address such as support@example.com, without a name.');
    else if (v !== undefined) next.mailFromAddress = v;
  }

  if (has('smsSenderId')) {
    const v = text('smsSenderId', input.smsSenderId, TEXT_LIMITS.smsSenderId, false);
    if (v && !E164.test(v) && !ALPHANUMERIC_SENDER.test(v)) {
      fail('smsSenderId', 'Use a number in international format (+ and 8 to 15 digits) or 3 to 11 letters, digits and spaces with at least one letter.');
    } else if (v !== undefined) next.smsSenderId = v;
  }

  if (input.colors !== undefined) {
    if (input.colors === null) fail('colors', 'Colours cannot be removed.');
    else {
      for (const name of ['primary', 'secondary', 'accent', 'background', 'text'] as const) {
        const value = input.colors[name];
        if (value === undefined) continue;
        const trimmed = typeof value === 'string' ? value.trim() : value;
        if (!isHexColor(trimmed) || (trimmed.length !== 4 && trimmed.length !== 7)) fail(`colors.${name}`, 'Use a hex colour such as #1d4ed8.');
        else next.colors[name] = trimmed.toLowerCase();
      }
    }
  }

  if (has('customCss')) {
    const v = input.customCss;
    if (v === null || (typeof v === 'string' && !v.trim())) next.customCss = null;
    else if (typeof v !== 'string') fail('customCss', 'Must be text.');
    else {
      const result = sanitizeCss(v);
      if (result.ok) next.customCss = result.css || null;
      else fail('customCss', result.message);
    }
  }

  if (has('contact')) {
    const v = text('contact', input.contact, TEXT_LIMITS.contact, false);
    const problem = v ? markdownProblem(v) : null;
    if (problem) fail('contact', problem);
    else if (v !== undefined) next.contact = v;
  }

  if (has('faq')) {
    const entries = input.faq ?? [];
    if (entries.length > MAX_FAQ_ENTRIES) fail('faq', `At most ${MAX_FAQ_ENTRIES} questions.`);
    else {
      const faq: { question: string; answer: string }[] = [];
      entries.forEach((entry, i) => {
        const question = text(`faq.${i}.question`, entry.question, TEXT_LIMITS.faqQuestion, true);
        const answer = text(`faq.${i}.answer`, entry.answer, TEXT_LIMITS.faqAnswer, true);
        const problem = answer ? markdownProblem(answer) : null;
        if (problem) fail(`faq.${i}.answer`, problem);
        if (question && answer && !problem) faq.push({ question, answer });
      });
      next.faq = faq;
    }
  }

  return errors.length ? { ok: false, errors } : { ok: true, next };
}
