import { fail, redirect } from '@sveltejs/kit';
import type { MessageKey } from '$lib/i18n';
import { serverConfig } from '$lib/server/config';
import { gatewayRequest } from '$lib/server/gatewayRequest';
import { signInWithPassword } from '$lib/server/signInActions';
import type { Actions, PageServerLoad } from './$types';

/** How a customer proves the account is theirs: account number and phone, or an invite code. */
export type SignUpMethod = 'account' | 'invite';

const methodOf = (value: unknown): SignUpMethod => (value === 'invite' ? 'invite' : 'account');

/** What the form had typed, sent back with a refusal so nothing needs typing again (never the password). */
export interface SignUpValues {
  method: SignUpMethod;
  accountNumber: string;
  phone: string;
  inviteCode: string;
  email: string;
}

/** Why the login could not be made, in the reader's words: the API answers with a code and a field. */
function problemOf(code: string | undefined, field: string | undefined, values: SignUpValues): MessageKey {
  if (code === 'RATE_LIMITED') return 'signUp.error.throttled';
  if (code === 'CONFLICT') return 'signUp.error.exists';
  if (code === 'FORBIDDEN') return 'signUp.error.disabled';
  if (code !== 'BAD_USER_INPUT') return 'signUp.error.generic';
  if (field === 'email') return 'signUp.error.email';
  if (field === 'password') return 'signUp.error.password';
  if (field === 'inviteCode') return 'signUp.error.inviteExpired';
  const noProof = values.method === 'account' ? !values.accountNumber.trim() || !values.phone.trim() : !values.inviteCode.trim();
  return noProof ? 'signUp.error.proof' : 'signUp.error.noMatch';
}

/** The field a problem is about, marked `aria-invalid` next to the message. */
function fieldOf(problem: MessageKey, method: SignUpMethod): keyof SignUpValues | 'password' | null {
  if (problem === 'signUp.error.email' || problem === 'signUp.error.exists') return 'email';
  if (problem === 'signUp.error.password') return 'password';
  if (problem === 'signUp.error.inviteExpired') return 'inviteCode';
  if (problem === 'signUp.error.proof' || problem === 'signUp.error.noMatch') return method === 'invite' ? 'inviteCode' : 'accountNumber';
  return null;
}

export const load: PageServerLoad = async ({ url }) => ({ method: methodOf(url.searchParams.get('method')) });

export const actions: Actions = {
  /**
   * Makes the login (the customer subgraph checks the proof and owns the limits, counted per
   * visitor: the portal vouches for the visitor's address), then signs in as it. A retry of a post
   * whose login was made already (a double submit, a lost answer) finds the email taken; if the
   * password typed is that login's, the visitor is simply signed in, as the first post would have.
   */
  default: async (event) => {
    const form = await event.request.formData();
    const text = (name: string) => String(form.get(name) ?? '');
    const values: SignUpValues = { method: methodOf(text('method')), accountNumber: text('accountNumber').trim(), phone: text('phone').trim(), inviteCode: text('inviteCode').trim(), email: text('email').trim() };
    const password = text('password');
    const tenant = event.locals.tenant!;
    const refuse = (status: number, problem: MessageKey) => fail(status, { problem, field: fieldOf(problem, values.method), values });

    const made = await gatewayRequest<{ signUpWithAccount: { ok: boolean } }>(
      `mutation SignUp($input: SignUpInput!) { signUpWithAccount(input: $input) { ok } }`,
      {
        input: {
          tenantSlug: tenant.tenantSlug,
          email: values.email,
          password,
          ...(values.method === 'account' ? { accountNumber: values.accountNumber, phone: values.phone } : { inviteCode: values.inviteCode }),
        },
      },
      { url: serverConfig().gatewayUrl },
    );
    if (!made.ok) {
      const problem = problemOf(made.code, made.field, values);
      // Same lockout and failure counting as the sign-in form: this is no way round it.
      if (problem === 'signUp.error.exists' && values.email && password && !(await signInWithPassword(event, values.email, password))) redirect(303, '/');
      return refuse(made.code === 'RATE_LIMITED' ? 429 : made.reason === 'graphql' ? 400 : 503, problem);
    }
    // The login exists now; should signing in fail (the login pool unreachable), the sign-in page
    // says so. The start page sends a login that must still give a code to the sign-in page.
    const refused = await signInWithPassword(event, values.email, password);
    if (refused) redirect(303, '/sign-in?notice=login-created');
    redirect(303, '/');
  },
};
