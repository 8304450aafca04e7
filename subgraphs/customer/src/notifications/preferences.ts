import { isLanguage, isTimeZone, type TenantInfo } from '@wisp/shared';
import type { FieldError } from '../resolvers/customerInput.ts';
import { languageFor } from './i18n.ts';
import { isClockTime } from './timeWords.ts';

export const CATEGORIES = ['TICKETS', 'VISITS', 'OUTAGES'] as const;
export type Category = (typeof CATEGORIES)[number];
export type Channel = 'EMAIL' | 'SMS';

type Switches = { tickets?: boolean | null; visits?: boolean | null; outages?: boolean | null };
/** The parts of a customer record that decide what they are sent. */
export interface PreferenceFacts {
  email?: string | null;
  phone?: string | null;
  portal?: { email?: string | null; emailVerified?: boolean | null } | null;
  contactPreferences?: { email?: boolean | null; sms?: boolean | null } | null;
  notificationSettings?: {
    language?: string | null;
    timeZone?: string | null;
    email?: Switches | null;
    sms?: Switches | null;
    quietHours?: { start?: string | null; end?: string | null } | null;
    deferEmailInQuietHours?: boolean | null;
    smsStoppedAt?: Date | null;
  } | null;
}

/** The WISP's time zone when it set none. @default UTC */
export const FALLBACK_TIME_ZONE = 'UTC';

const switches = (s: Switches | null | undefined) => ({ tickets: s?.tickets ?? true, visits: s?.visits ?? true, outages: s?.outages ?? true });
const field = (c: Category) => c.toLowerCase() as 'tickets' | 'visits' | 'outages';

/** Where email to the customer may go: the record's email, else a confirmed login email. */
export function mailAddressOf(c: PreferenceFacts): string | null {
  return c.email ?? (c.portal?.email && c.portal.emailVerified !== false ? c.portal.email : null);
}

/**
 * The number texts go to, in E.164: the record's phone as entered with a leading +, or a
 * ten-digit North American number (the default country code is configurable).
 */
export function smsNumberOf(c: PreferenceFacts, defaultCountryCode = process.env.SMS_DEFAULT_COUNTRY_CODE ?? '1'): string | null {
  const raw = c.phone?.trim();
  if (!raw) return null;
  const digits = raw.replace(/\D/g, '');
  if (raw.startsWith('+')) return digits.length >= 8 && digits.length <= 15 ? `+${digits}` : null;
  if (digits.length === 10) return `+${defaultCountryCode}${digits}`;
  if (digits.length === 11 && digits.startsWith(defaultCountryCode)) return `+${digits}`;
  return null;
}

/** The preferences as the graph shows them. */
export function preferencesOf(c: PreferenceFacts, tenant: Pick<TenantInfo, 'branding'> | null) {
  const s = c.notificationSettings ?? {};
  const quiet = s.quietHours?.start && s.quietHours.end ? { start: s.quietHours.start, end: s.quietHours.end } : null;
  return {
    emailEnabled: c.contactPreferences?.email ?? true,
    smsEnabled: c.contactPreferences?.sms ?? false,
    email: switches(s.email),
    sms: switches(s.sms),
    smsPhone: c.phone ?? null,
    smsStopped: !!s.smsStoppedAt,
    language: languageFor(s.language, tenant?.branding.defaultLanguage),
    timeZone: s.timeZone ?? null,
    effectiveTimeZone: timeZoneOf(c, tenant),
    quietHours: quiet,
    deferEmailInQuietHours: !!s.deferEmailInQuietHours,
  };
}

export function timeZoneOf(c: PreferenceFacts, tenant: Pick<TenantInfo, 'branding'> | null): string {
  const own = c.notificationSettings?.timeZone;
  if (own && isTimeZone(own)) return own;
  const wisp = tenant?.branding.timeZone;
  return wisp && isTimeZone(wisp) ? wisp : FALLBACK_TIME_ZONE;
}

/** Whether a message of `category` may go to the customer by `channel`, and where; else why not. */
export function decide(c: PreferenceFacts, channel: Channel, category: Category): { ok: true; to: string } | { ok: false; reason: string } {
  const s = c.notificationSettings ?? {};
  if (channel === 'EMAIL') {
    if (c.contactPreferences?.email === false) return { ok: false, reason: 'Email turned off by the customer' };
    if (!switches(s.email)[field(category)]) return { ok: false, reason: `Email about ${field(category)} turned off by the customer` };
    const to = mailAddressOf(c);
    return to ? { ok: true, to } : { ok: false, reason: 'No confirmed email address' };
  }
  if (!c.contactPreferences?.sms) return { ok: false, reason: 'The customer has not opted in to texts' };
  if (s.smsStoppedAt) return { ok: false, reason: 'The customer replied STOP' };
  if (!switches(s.sms)[field(category)]) return { ok: false, reason: `Texts about ${field(category)} turned off by the customer` };
  const to = smsNumberOf(c);
  return to ? { ok: true, to } : { ok: false, reason: 'No phone number texts can go to' };
}

export interface PreferencesInput {
  emailEnabled?: boolean | null;
  smsEnabled?: boolean | null;
  email?: Switches | null;
  sms?: Switches | null;
  language?: string | null;
  timeZone?: string | null;
  quietHours?: { start: string; end: string } | null;
  deferEmailInQuietHours?: boolean | null;
}

/**
 * The update a preferences input makes, or its problems. Only what the input names changes;
 * turning texts on is an opt-in and ends an earlier STOP.
 */
export function preferencesUpdate(input: PreferencesInput, current: PreferenceFacts): { errors: FieldError[]; set: Record<string, unknown>; unset: Record<string, ''> } {
  const errors: FieldError[] = [];
  const set: Record<string, unknown> = {};
  const unset: Record<string, ''> = {};
  const has = (k: keyof PreferencesInput) => Object.hasOwn(input, k);
  if (has('emailEnabled') && input.emailEnabled != null) set['contactPreferences.email'] = input.emailEnabled;
  if (has('smsEnabled') && input.smsEnabled != null) {
    set['contactPreferences.sms'] = input.smsEnabled;
    if (input.smsEnabled) unset['notificationSettings.smsStoppedAt'] = '';
    if (input.smsEnabled && !smsNumberOf(current)) errors.push({ field: 'smsEnabled', message: 'Add a mobile number (with its country code) before turning on texts.' });
  }
  if (!current.contactPreferences) {
    // Records created before preferences existed: write both switches so neither is lost.
    set['contactPreferences.email'] ??= true;
    set['contactPreferences.sms'] ??= false;
  }
  for (const channel of ['email', 'sms'] as const) {
    const given = input[channel];
    if (!given) continue;
    for (const c of ['tickets', 'visits', 'outages'] as const) if (given[c] != null) set[`notificationSettings.${channel}.${c}`] = given[c];
  }
  if (has('language')) {
    if (input.language == null) unset['notificationSettings.language'] = '';
    else if (isLanguage(input.language)) set['notificationSettings.language'] = input.language;
    else errors.push({ field: 'language', message: 'Choose one of the languages offered.' });
  }
  if (has('timeZone')) {
    if (input.timeZone == null || input.timeZone === '') unset['notificationSettings.timeZone'] = '';
    else if (isTimeZone(input.timeZone)) set['notificationSettings.timeZone'] = input.timeZone;
    else errors.push({ field: 'timeZone', message: 'Choose a time zone such as America/Chicago.' });
  }
  if (has('quietHours')) {
    const q = input.quietHours;
    if (q == null) unset['notificationSettings.quietHours'] = '';
    else if (!isClockTime(q.start)) errors.push({ field: 'quietHours.start', message: 'Enter a time as HH:MM (24-hour).' });
    else if (!isClockTime(q.end)) errors.push({ field: 'quietHours.end', message: 'Enter a time as HH:MM (24-hour).' });
    else if (q.start === q.end) errors.push({ field: 'quietHours.end', message: 'Quiet hours must end at another time than they start.' });
    else set['notificationSettings.quietHours'] = { start: q.start, end: q.end };
  }
  if (has('deferEmailInQuietHours') && input.deferEmailInQuietHours != null) set['notificationSettings.deferEmailInQuietHours'] = input.deferEmailInQuietHours;
  return { errors, set, unset };
}
