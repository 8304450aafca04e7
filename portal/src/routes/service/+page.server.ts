import { error, fail, redirect } from '@sveltejs/kit';
import { sessionGraphql } from '$lib/server/session';
import { createTranslator } from '$lib/i18n';
import type { Actions, PageServerLoad } from './$types';

export interface MyService {
  id: string;
  accountNumber: string;
  name: string;
  phone: string | null;
  serviceAddress: string | null;
  serviceStatus: string;
  plan: { name: string; downMbps: number; upMbps: number; priceCents: number } | null;
  equipment: { model: string; serial: string | null; mac: string | null; installedAt: string | null; lastSeenAt: string | null; signalDbm: number | null; online: boolean | null }[];
  contactPreferences: { email: boolean; sms: boolean };
}

const FIELDS = `id accountNumber name phone serviceAddress serviceStatus
  plan { name downMbps upMbps priceCents }
  equipment { model serial mac installedAt lastSeenAt signalDbm online }
  contactPreferences { email sms }`;

/** Signed out: the start page signs in (its plain form without scripts) and comes back here. */
const signIn = (url: URL) => redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);

export const load: PageServerLoad = async ({ locals, url }) => {
  if (!locals.session) signIn(url);
  const r = await sessionGraphql<{ viewer: { role: string; customer: MyService | null; accounts: { role: string; active: boolean }[] } | null }>(
    locals.session,
    `{ viewer { role customer { ${FIELDS} } accounts { role active } } }`,
  );
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') signIn(url);
    error(503, createTranslator(locals.lang).t('service.loadFailed'));
  }
  // A household member sees the contact details but changing them is the holder's.
  const holderOnly = r.data.viewer?.accounts.find((a) => a.active)?.role === 'MEMBER';
  return { me: r.data.viewer?.customer ?? null, role: r.data.viewer?.role ?? null, holderOnly, loadedAt: new Date().toISOString() };
};

export const actions: Actions = {
  /** Phone number and contact preferences; works as a plain form post and enhanced. */
  contact: async ({ request, locals, url }) => {
    if (!locals.session) signIn(url);
    const form = await request.formData();
    const phone = String(form.get('phone') ?? '').trim();
    const input = { phone, contactPreferences: { email: form.get('email') === 'on', sms: form.get('sms') === 'on' } };
    const r = await sessionGraphql<{ updateMyContact: { ok: boolean; errors: { field: string; message: string }[] } }>(
      locals.session,
      `mutation ($input: MyContactInput!) { updateMyContact(input: $input) { ok errors { field message } } }`,
      { input },
    );
    if (!r.ok) {
      if (r.reason === 'unauthenticated') signIn(url);
      if (r.code === 'FORBIDDEN') return fail(403, { phone, message: createTranslator(locals.lang).t('household.contactHolderOnly') });
      return fail(r.code === 'BAD_USER_INPUT' ? 400 : 503, { phone, message: r.code === 'BAD_USER_INPUT' ? r.detail : createTranslator(locals.lang).t('service.saveFailed') });
    }
    if (!r.data.updateMyContact.ok) return fail(400, { phone, message: r.data.updateMyContact.errors.map((e) => e.message).join(' ') });
    return { saved: true };
  },
};
