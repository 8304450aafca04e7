import { fail } from '@sveltejs/kit';
import { sessionGraphql } from '$lib/server/session';
import type { Actions } from './$types';

/**
 * The email-confirmation link's page: opening it changes nothing (mail scanners open links); its
 * button's post confirms the address through the gateway. It works without scripts.
 */
export const actions: Actions = {
  default: async ({ request }) => {
    const token = String((await request.formData()).get('token') ?? '');
    const r = await sessionGraphql<{ verifyEmail: boolean }>(null, `mutation Verify($token: String!) { verifyEmail(token: $token) }`, { token });
    if (r.ok && r.data.verifyEmail) return { verified: true as const };
    return fail(r.ok || r.reason === 'graphql' ? 400 : 503, { verified: false as const });
  },
};
