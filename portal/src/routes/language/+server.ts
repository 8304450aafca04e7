import { redirect } from '@sveltejs/kit';
import { isLanguage } from '@wisp/shared/languages';
import { LANGUAGE_COOKIE, offeredLanguages } from '$lib/i18n/negotiate';
import { safeReturnPath } from '$lib/portal/returnTo';
import { sessionGraphql } from '$lib/server/session';
import type { RequestHandler } from './$types';

const YEAR_SECONDS = 365 * 24 * 3600;

/**
 * The footer's language picker: a plain form post (no script needed). Remembers the choice in a
 * cookie for this browser and, for a signed-in customer, as the language of their account (the
 * one their email and texts are written in), then goes back to the page it was sent from.
 */
export const POST: RequestHandler = async ({ request, cookies, locals, url }) => {
  const form = await request.formData();
  const lang = String(form.get('lang') ?? '');
  const raw = String(form.get('next') ?? '/');
  const back = raw === '/' ? '/' : (safeReturnPath(raw, url.origin) ?? '/');
  if (isLanguage(lang) && offeredLanguages(locals.tenant?.portalLanguages).includes(lang)) {
    cookies.set(LANGUAGE_COOKIE, lang, { path: '/', httpOnly: true, sameSite: 'lax', secure: url.protocol === 'https:', maxAge: YEAR_SECONDS });
    if (locals.session) {
      // Staff have no customer language; a refusal here changes nothing about the page's language.
      await sessionGraphql(locals.session, `mutation ($input: NotificationPreferencesInput!) { updateMyNotificationPreferences(input: $input) { ok } }`, { input: { language: lang } });
    }
  }
  redirect(303, back);
};
