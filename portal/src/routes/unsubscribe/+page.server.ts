import { fail } from '@sveltejs/kit';
import { createTranslator } from '$lib/i18n';
import { sessionGraphql } from '$lib/server/session';
import type { Actions } from './$types';

/** What the unsubscribe button's post answers: done (with what stopped), or why not. */
export type UnsubscribeAnswer = { done: { category: string | null; channel: string | null; companyName: string | null } } | { refused: string } | { error: string };

/**
 * The unsubscribe link's page asks first (mail scanners open links); only the button's post,
 * answered here through the gateway, changes anything. It works without scripts.
 */
export const actions: Actions = {
  default: async ({ request, locals }) => {
    const token = String((await request.formData()).get('token') ?? '');
    const r = await sessionGraphql<{ unsubscribe: { ok: boolean; category: string | null; channel: string | null; companyName: string | null } }>(
      null,
      `mutation Unsubscribe($token: String!) { unsubscribe(token: $token) { ok category channel companyName } }`,
      { token },
    );
    if (r.ok) return { done: { category: r.data.unsubscribe.category, channel: r.data.unsubscribe.channel, companyName: r.data.unsubscribe.companyName } } satisfies UnsubscribeAnswer;
    // A link that is not one of ours (a forged or altered signature) is refused with the reason.
    if (r.reason === 'graphql' && r.code === 'BAD_USER_INPUT') return fail(400, { refused: r.detail } satisfies UnsubscribeAnswer);
    return fail(r.reason === 'graphql' ? 400 : 503, { error: r.reason === 'graphql' ? r.detail : createTranslator(locals.lang).t('error.generic') } satisfies UnsubscribeAnswer);
  },
};
