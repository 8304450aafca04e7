/** The settings page's shapes and its notification form's rules, shared by its server and its page. */
import { CATEGORIES, type CategorySwitches, type NotificationPreferences } from '$lib/notifications/notificationFields';

export interface Security {
  totpEnabled: boolean;
  secondFactorRequired: boolean;
  staffSecondFactorRequired: boolean;
  emailVerified: boolean | null;
}

/** The notification form as it is filled in; '' for the WISP's time zone. */
export interface NotificationDraft {
  emailEnabled: boolean;
  smsEnabled: boolean;
  email: CategorySwitches;
  sms: CategorySwitches;
  language: string;
  timeZone: string;
  quiet: boolean;
  quietStart: string;
  quietEnd: string;
  deferEmail: boolean;
}

/** What each form of the page answers; the page shows it beside that form. */
export interface SettingsForm {
  password?: { error: string };
  factor?: {
    error?: string;
    notice?: string;
    /** Shown once, in the answer to the post that began it (and again when a code was refused). */
    enrolment?: { secret: string; otpauthUri: string };
  };
  everywhere?: { error: string };
  notificationsError?: string;
  notifications?: { draft: NotificationDraft; was: NotificationDraft; errors: Record<string, string>; outcome: { ok: boolean; text: string } };
}

export const draftOf = (p: NotificationPreferences): NotificationDraft => ({
  emailEnabled: p.emailEnabled,
  // A STOP reply overrides the opt-in: texts show as off until the customer turns them on again.
  smsEnabled: p.smsEnabled && !p.smsStopped,
  email: { ...p.email },
  sms: { ...p.sms },
  language: p.language,
  timeZone: p.timeZone ?? '',
  quiet: !!p.quietHours,
  quietStart: p.quietHours?.start ?? '21:00',
  quietEnd: p.quietHours?.end ?? '07:00',
  deferEmail: p.deferEmailInQuietHours,
});

const TIME = /^\d{2}:\d{2}$/;
const isSwitches = (v: unknown): v is CategorySwitches => !!v && typeof v === 'object' && CATEGORIES.every((c) => typeof (v as Record<string, unknown>)[c] === 'boolean');

/** The draft the page rendered, carried by the form as JSON; null when it is not one. */
export function parseDraft(json: string): NotificationDraft | null {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object') return null;
  const d = v as Record<string, unknown>;
  const bools = ['emailEnabled', 'smsEnabled', 'quiet', 'deferEmail'].every((k) => typeof d[k] === 'boolean');
  const strings = ['language', 'timeZone', 'quietStart', 'quietEnd'].every((k) => typeof d[k] === 'string' && (d[k] as string).length <= 100);
  if (!bools || !strings || !isSwitches(d.email) || !isSwitches(d.sms)) return null;
  return {
    emailEnabled: d.emailEnabled as boolean,
    smsEnabled: d.smsEnabled as boolean,
    email: { ...(d.email as CategorySwitches) },
    sms: { ...(d.sms as CategorySwitches) },
    language: d.language as string,
    timeZone: d.timeZone as string,
    quiet: d.quiet as boolean,
    quietStart: d.quietStart as string,
    quietEnd: d.quietEnd as string,
    deferEmail: d.deferEmail as boolean,
  };
}

/**
 * The draft a posted form describes. Checkboxes are sent only when ticked; a channel that is off
 * keeps its categories as they were, and quiet hours that are off keep the held-email choice, so
 * switching something off and on again loses nothing.
 */
export function draftFromForm(form: FormData, was: NotificationDraft): NotificationDraft {
  const on = (name: string) => form.get(name) !== null;
  const text = (name: string) => String(form.get(name) ?? '').trim().slice(0, 100);
  const channel = (name: 'email' | 'sms', enabled: boolean): CategorySwitches =>
    enabled ? (Object.fromEntries(CATEGORIES.map((c) => [c, on(`${name}.${c}`)])) as CategorySwitches) : { ...was[name] };
  const emailEnabled = on('emailEnabled');
  const smsEnabled = on('smsEnabled');
  const quiet = on('quietHours');
  return {
    emailEnabled,
    smsEnabled,
    email: channel('email', emailEnabled),
    sms: channel('sms', smsEnabled),
    language: text('language') || was.language,
    timeZone: text('timeZone'),
    quiet,
    quietStart: quiet ? text('quietStart') : was.quietStart,
    quietEnd: quiet ? text('quietEnd') : was.quietEnd,
    deferEmail: quiet ? on('deferEmailInQuietHours') : was.deferEmail,
  };
}

/** Times the form must have before it is sent: the API words every other problem. */
export function missingTimes(d: NotificationDraft): ('quietHours.start' | 'quietHours.end')[] {
  if (!d.quiet) return [];
  return [...(TIME.test(d.quietStart) ? [] : ['quietHours.start' as const]), ...(TIME.test(d.quietEnd) ? [] : ['quietHours.end' as const])];
}

/** Only what the customer changed from what the page showed, so a save never overwrites what it did not touch (an unsubscribe in another tab). */
export function changes(d: NotificationDraft, was: NotificationDraft): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  if (d.emailEnabled !== was.emailEnabled) input.emailEnabled = d.emailEnabled;
  if (d.smsEnabled !== was.smsEnabled) input.smsEnabled = d.smsEnabled;
  for (const channel of ['email', 'sms'] as const) {
    const changed = Object.fromEntries(CATEGORIES.filter((c) => d[channel][c] !== was[channel][c]).map((c) => [c, d[channel][c]]));
    if (Object.keys(changed).length) input[channel] = changed;
  }
  if (d.language !== was.language) input.language = d.language;
  if (d.timeZone !== was.timeZone) input.timeZone = d.timeZone || null;
  const quiet = d.quiet ? { start: d.quietStart, end: d.quietEnd } : null;
  const wasQuiet = was.quiet ? { start: was.quietStart, end: was.quietEnd } : null;
  if (quiet?.start !== wasQuiet?.start || quiet?.end !== wasQuiet?.end) input.quietHours = quiet;
  if (d.deferEmail !== was.deferEmail) input.deferEmailInQuietHours = d.deferEmail;
  return input;
}

/** Fields with a place for their error on the form; a category switch's error shows at its channel's. */
export const FIELDS_WITH_ERRORS = new Set(['emailEnabled', 'smsEnabled', 'language', 'timeZone', 'quietHours.start', 'quietHours.end', 'deferEmailInQuietHours']);
export const SHOWN_AT: Record<string, string> = Object.fromEntries(
  (['email', 'sms'] as const).flatMap((channel) => CATEGORIES.map((c) => [`${channel}.${c}`, channel === 'email' ? 'emailEnabled' : 'smsEnabled'])),
);
