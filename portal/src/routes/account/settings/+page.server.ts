import { error, fail, redirect } from '@sveltejs/kit';
import { createTranslator } from '$lib/i18n';
import { DELIVERY_FIELDS, PREFERENCE_FIELDS, type NotificationDelivery, type NotificationPreferences } from '$lib/notifications/notificationFields';
import { endSession, forgetSecondFactor, rememberSecondFactor, sessionGraphql, type ServerSession } from '$lib/server/session';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { changes, draftFromForm, draftOf, FIELDS_WITH_ERRORS, missingTimes, parseDraft, SHOWN_AT, type Security, type SettingsForm } from './settingsForm';

const SECURITY_FIELDS = 'totpEnabled secondFactorRequired staffSecondFactorRequired emailVerified';
const SECURITY = `{ accountSecurity { ${SECURITY_FIELDS} } }`;
const VIEWER = '{ viewer { uid role } }';
const NOTIFICATIONS = `query MyNotifications { notificationLanguages { code name } viewer { customer { id
  notificationPreferences { ${PREFERENCE_FIELDS} }
  notificationLog(first: 20) { ${DELIVERY_FIELDS} }
} } }`;
const SAVE = `mutation SaveNotifications($input: NotificationPreferencesInput!) {
  updateMyNotificationPreferences(input: $input) { ok errors { field message } preferences { ${PREFERENCE_FIELDS} } }
}`;

const signIn = (url: URL): never => redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname)}`);

/** The zones a customer can pick, as the server's Intl knows them, with their saved one kept choosable. */
function timeZones(saved: string | null): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    zones = [];
  }
  return saved && !zones.includes(saved) ? [saved, ...zones] : zones;
}

export interface CustomerNotifications {
  languages: { code: string; name: string }[];
  preferences: NotificationPreferences;
  log: NotificationDelivery[];
  zones: string[];
}

/**
 * A login's own settings, rendered by the server: password, two-step sign-in, signing out
 * everywhere and, for a customer account's holder, which messages they get. Every change is a
 * plain form post (enhanced when scripts run). A login that must still set up its authenticator
 * app before it may go on (staff under the tenant's policy) sees only that part.
 */
export const load: PageServerLoad = async ({ locals, url, parent }) => {
  if (!locals.session) signIn(url);
  const t = createTranslator(locals.lang, locals.tenant?.timeZone).t;
  const [security, viewer] = await Promise.all([
    sessionGraphql<{ accountSecurity: Security }>(locals.session, SECURITY),
    sessionGraphql<{ viewer: { uid: string; role: string } | null }>(locals.session, VIEWER),
  ]);
  if (!security.ok) {
    if (security.reason === 'unauthenticated') signIn(url);
    error(503, t('error.tryLater'));
  }
  // Held at the second factor: one who has an app signs in with its code; one who must set one up does it here.
  const pending = !viewer.ok && viewer.why === 'SECOND_FACTOR_REQUIRED';
  if (pending && security.data.accountSecurity.totpEnabled) signIn(url);
  if (!viewer.ok && !pending) {
    if (viewer.reason === 'unauthenticated') signIn(url);
    error(503, t('error.tryLater'));
  }
  const role = viewer.ok ? (viewer.data.viewer?.role ?? null) : null;
  const { accountRole } = await parent();

  let notifications: CustomerNotifications | 'holderOnly' | null = null;
  let notificationsError: string | null = null;
  if (role === 'CUSTOMER' && accountRole === 'MEMBER') notifications = 'holderOnly';
  else if (role === 'CUSTOMER') {
    const r = await sessionGraphql<{ notificationLanguages: { code: string; name: string }[]; viewer: { customer: { notificationPreferences: NotificationPreferences; notificationLog: NotificationDelivery[] } | null } | null }>(locals.session, NOTIFICATIONS);
    const customer = r.ok ? r.data.viewer?.customer : null;
    if (r.ok && customer) {
      notifications = { languages: r.data.notificationLanguages, preferences: customer.notificationPreferences, log: customer.notificationLog, zones: timeZones(customer.notificationPreferences.timeZone) };
    } else notificationsError = r.ok ? t('notify.notFound') : r.reason === 'graphql' ? r.detail : t('notify.loadFailed');
  }
  return { security: security.data.accountSecurity, role, pending, notifications, notificationsError };
};

type Event = RequestEvent;
/** The session an action runs with; signed out (or over) sends the visitor to sign in and back. */
function live(event: Event): ServerSession {
  if (!event.locals.session) signIn(event.url);
  return event.locals.session!;
}
const words = (event: Event) => createTranslator(event.locals.lang, event.locals.tenant?.timeZone).t;
const field = (form: FormData, name: string) => String(form.get(name) ?? '');
const CODE = (form: FormData) => field(form, 'totp').replace(/\s/g, '').slice(0, 12);
/** An enrolment's secret and link, echoed back by a confirm form whose code was refused, only in their own shapes. */
function echoedEnrolment(form: FormData): { secret: string; otpauthUri: string } | undefined {
  const secret = field(form, 'secret');
  const otpauthUri = field(form, 'otpauthUri');
  return /^[A-Z2-7]{16,128}=*$/.test(secret) && otpauthUri.startsWith('otpauth://') && otpauthUri.length <= 500 ? { secret, otpauthUri } : undefined;
}

export const actions: Actions = {
  /** Changes the password: every session of the login ends (this one too), so the next step is signing in with it. */
  password: async (event) => {
    const session = live(event);
    const t = words(event);
    const form = await event.request.formData();
    const currentPassword = field(form, 'currentPassword');
    const newPassword = field(form, 'newPassword');
    if (newPassword !== field(form, 'repeatPassword')) return fail(400, { password: { error: t('settings.mismatch') } } satisfies SettingsForm);
    const r = await sessionGraphql(session, `mutation Change($input: ChangePasswordInput!) { changePassword(input: $input) { ok } }`, { input: { currentPassword, newPassword } });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') signIn(event.url);
      return fail(r.reason === 'graphql' ? 400 : 503, { password: { error: r.reason === 'graphql' ? r.detail : t('error.generic') } } satisfies SettingsForm);
    }
    endSession(event.cookies);
    redirect(303, '/sign-in?notice=password-changed');
  },

  everywhere: async (event) => {
    const session = live(event);
    const r = await sessionGraphql(session, 'mutation { signOutEverywhere { ok } }');
    if (!r.ok && r.reason !== 'unauthenticated') return fail(503, { everywhere: { error: r.reason === 'graphql' ? r.detail : words(event)('error.generic') } } satisfies SettingsForm);
    endSession(event.cookies);
    redirect(303, '/sign-in?notice=signed-out-everywhere');
  },

  /** Starts setting up an authenticator app: the secret is shown once, in this answer. */
  enrol: async (event) => {
    const session = live(event);
    const r = await sessionGraphql<{ beginTotpEnrolment: { secret: string; otpauthUri: string } }>(session, 'mutation { beginTotpEnrolment { secret otpauthUri } }');
    if (!r.ok) {
      if (r.reason === 'unauthenticated') signIn(event.url);
      return fail(r.reason === 'graphql' ? 400 : 503, { factor: { error: r.reason === 'graphql' ? r.detail : words(event)('error.generic') } } satisfies SettingsForm);
    }
    return { factor: { enrolment: r.data.beginTotpEnrolment } } satisfies SettingsForm;
  },

  /** Confirms the app with its first code; this browser has then passed its second factor. */
  confirm: async (event) => {
    const session = live(event);
    const t = words(event);
    const form = await event.request.formData();
    const enrolment = echoedEnrolment(form);
    const r = await sessionGraphql<{ confirmTotpEnrolment: { session: { token: string; expiresAt: string } } }>(
      session,
      `mutation Confirm($code: String!) { confirmTotpEnrolment(code: $code) { ok session { token expiresAt } } }`,
      { code: CODE(form) },
    );
    if (!r.ok) {
      if (r.reason === 'unauthenticated') signIn(event.url);
      return fail(r.reason === 'graphql' ? 400 : 503, { factor: { error: r.reason === 'graphql' ? r.detail : t('error.generic'), enrolment } } satisfies SettingsForm);
    }
    const passed = r.data.confirmTotpEnrolment.session;
    rememberSecondFactor(event.cookies, event.url, passed.token, passed.expiresAt);
    session.secondFactor = passed.token;
    return { factor: { notice: t('settings.factorTurnedOn') } } satisfies SettingsForm;
  },

  /** Turns two-step sign-in off, with a current code. */
  removeFactor: async (event) => {
    const session = live(event);
    const t = words(event);
    const form = await event.request.formData();
    const r = await sessionGraphql(session, `mutation Remove($code: String!) { removeTotp(code: $code) { ok } }`, { code: CODE(form) });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') signIn(event.url);
      return fail(r.reason === 'graphql' ? 400 : 503, { factor: { error: r.reason === 'graphql' ? r.detail : t('error.generic') } } satisfies SettingsForm);
    }
    forgetSecondFactor(event.cookies);
    session.secondFactor = null;
    return { factor: { notice: t('settings.factorTurnedOff') } } satisfies SettingsForm;
  },

  /** An administrator requires (or stops requiring) two-step sign-in of all the tenant's staff. */
  staffPolicy: async (event) => {
    const session = live(event);
    const form = await event.request.formData();
    const r = await sessionGraphql(session, `mutation Policy($required: Boolean!) { setStaffSecondFactorPolicy(required: $required) { ${SECURITY_FIELDS} } }`, { required: form.get('required') !== null });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') signIn(event.url);
      return fail(r.reason === 'graphql' ? 403 : 503, { factor: { error: r.reason === 'graphql' ? r.detail : words(event)('error.generic') } } satisfies SettingsForm);
    }
    return { factor: { notice: words(event)('common.saved') } } satisfies SettingsForm;
  },

  /** Saves what the customer changed of their notification settings, compared with what the page showed them. */
  notifications: async (event) => {
    const session = live(event);
    const t = words(event);
    const form = await event.request.formData();
    let was = parseDraft(field(form, 'was'));
    if (!was) {
      // A form without what it was rendered from (an old page): compare with what is saved now.
      const now = await sessionGraphql<{ viewer: { customer: { notificationPreferences: NotificationPreferences } | null } | null }>(session, `{ viewer { customer { notificationPreferences { ${PREFERENCE_FIELDS} } } } }`);
      if (!now.ok && now.reason === 'unauthenticated') signIn(event.url);
      const prefs = now.ok ? now.data.viewer?.customer?.notificationPreferences : null;
      if (!prefs) return fail(503, { notificationsError: t('notify.loadFailed') } satisfies SettingsForm);
      was = draftOf(prefs);
    }
    const draft = draftFromForm(form, was);
    const refused = (status: number, errors: Record<string, string>, text: string) => fail(status, { notifications: { draft, was: was!, errors, outcome: { ok: false, text } } } satisfies SettingsForm);

    const missing = missingTimes(draft);
    if (missing.length) {
      return refused(400, Object.fromEntries(missing.map((f) => [f, t(f === 'quietHours.start' ? 'notify.quietStartMissing' : 'notify.quietEndMissing')])), t('notify.checkFields'));
    }
    const input = changes(draft, was);
    if (!Object.keys(input).length) return { notifications: { draft, was, errors: {}, outcome: { ok: true, text: t('notify.nothing') } } } satisfies SettingsForm;
    const r = await sessionGraphql<{ updateMyNotificationPreferences: { ok: boolean; errors: { field: string; message: string }[]; preferences: NotificationPreferences | null } }>(session, SAVE, { input });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') signIn(event.url);
      return refused(r.reason === 'graphql' ? 400 : 503, {}, r.reason === 'graphql' ? t('notify.notSaved', { reason: r.detail }) : t('error.generic'));
    }
    const saved = r.data.updateMyNotificationPreferences;
    if (saved.ok && saved.preferences) {
      const now = draftOf(saved.preferences);
      return { notifications: { draft: now, was: now, errors: {}, outcome: { ok: true, text: t('common.saved') } } } satisfies SettingsForm;
    }
    const errors = Object.fromEntries(saved.errors.map((e) => [SHOWN_AT[e.field] ?? e.field, e.message]));
    const elsewhere = saved.errors.filter((e) => !FIELDS_WITH_ERRORS.has(SHOWN_AT[e.field] ?? e.field));
    return refused(400, errors, elsewhere.length ? t('notify.notSaved', { reason: elsewhere.map((e) => e.message).join(' ') }) : t('notify.checkFields'));
  },
};
