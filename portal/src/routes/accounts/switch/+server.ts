import { redirect } from '@sveltejs/kit';
import { accountChoices } from '$lib/server/accounts';
import { safeReturnPath } from '$lib/portal/returnTo';
import { chooseAccount } from '$lib/server/session';
import type { RequestHandler } from './$types';

/**
 * `POST /accounts/switch` (`account`, `next`): the account switcher's form. Acts for `account`
 * from now on when the login is linked to it, then goes back to `next` (this portal's own paths
 * only). A plain form post, so it works without scripts; hooks.server.ts refuses other sites'.
 */
export const POST: RequestHandler = async ({ request, locals, cookies, url }) => {
  const form = await request.formData().catch(() => null);
  const next = safeReturnPath(String(form?.get('next') ?? ''), url.origin) ?? '/';
  if (!locals.session) redirect(303, `/sign-in?next=${encodeURIComponent(next)}`);
  const wanted = String(form?.get('account') ?? '');
  // Only an account the gateway lists for this login; anything else leaves the choice as it was.
  const linked = (await accountChoices(locals.session)).some((a) => a.id === wanted);
  if (!linked || !chooseAccount(cookies, url, wanted)) redirect(303, '/accounts?switch=unknown');
  redirect(303, next);
};
