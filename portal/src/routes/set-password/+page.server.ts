import { fail, redirect } from '@sveltejs/kit';
import type { MessageKey } from '$lib/i18n';
import { passwordLinkEmail, usePasswordLink, type ResetProblem } from '$lib/server/passwordSignIn';
import { signInWithPassword } from '$lib/server/signInActions';
import type { Actions, PageServerLoad } from './$types';

/** Shortest password the form accepts; the login pool's own rule says the same. */
const MIN_PASSWORD = 8;

const LINK_WORDS: Record<ResetProblem, MessageKey> = {
  expired: 'setPassword.expired',
  weak: 'setPassword.weak',
  disabled: 'setPassword.disabled',
  unavailable: 'error.tryLater',
};

/**
 * The link from a welcome or password-reset email, checked by the server (it is not used up by
 * opening it, so a mail scanner following it costs nothing) in this WISP's login pool only.
 */
export const load: PageServerLoad = async ({ url, locals }) => {
  const oobCode = url.searchParams.get('oobCode') ?? '';
  const welcome = url.searchParams.has('welcome');
  if (!oobCode) return { welcome, oobCode, email: null, linkProblem: 'setPassword.incomplete' as MessageKey };
  const link = await passwordLinkEmail(locals.tenant!.authTenantId, oobCode);
  return link.ok ? { welcome, oobCode, email: link.email, linkProblem: null } : { welcome, oobCode, email: null, linkProblem: LINK_WORDS[link.problem] };
};

export const actions: Actions = {
  /** Sets the password, then signs in with it and starts the session. */
  default: async (event) => {
    const form = await event.request.formData();
    const oobCode = String(form.get('oobCode') ?? '');
    const password = String(form.get('password') ?? '');
    const refuse = (status: number, problem: MessageKey, field: 'password' | 'confirm' | null = 'password') => fail(status, { problem, field });
    if (password.length < MIN_PASSWORD) return refuse(400, 'setPassword.tooShort');
    if (password !== String(form.get('confirm') ?? '')) return refuse(400, 'setPassword.mismatch', 'confirm');
    const used = await usePasswordLink(event.locals.tenant!.authTenantId, oobCode, password);
    if (!used.ok) return refuse(used.problem === 'unavailable' ? 503 : 400, LINK_WORDS[used.problem], used.problem === 'weak' ? 'password' : null);
    // The password is set whatever happens next; should signing in fail, the sign-in page says so.
    if (await signInWithPassword(event, used.email, password)) redirect(303, '/sign-in?notice=password-changed');
    redirect(303, '/');
  },
};
