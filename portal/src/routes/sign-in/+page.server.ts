import { redirect } from '@sveltejs/kit';
import { safeNext, secondFactorPending, signInActions } from '$lib/server/signInActions';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
  const next = safeNext(url.searchParams.get('next'), url);
  if (locals.session) {
    if (await secondFactorPending(locals.session)) return { step: 'code' as const, next };
    redirect(303, next);
  }
  return { step: 'password' as const, next };
};

/** Email and password, the authenticator code, and signing out: plain form posts, as on the start page. */
export const actions: Actions = signInActions('/sign-in');
