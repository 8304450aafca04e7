import { fail } from '@sveltejs/kit';
import type { MessageKey } from '$lib/i18n';
import { serverConfig } from '$lib/server/config';
import { gatewayRequest } from '$lib/server/gatewayRequest';
import type { Actions } from './$types';

export const actions: Actions = {
  /**
   * Asks for a password link. The answer is the same whether or not the email has a login here
   * (the customer subgraph never tells); only a refused address or too many requests are told.
   */
  default: async ({ request, locals }) => {
    const email = String((await request.formData()).get('email') ?? '').trim();
    const refuse = (status: number, problem: MessageKey) => fail(status, { problem, email });
    if (!email) return refuse(400, 'signUp.error.email');
    const r = await gatewayRequest<{ requestPasswordReset: { ok: boolean } }>(
      `mutation Forgot($input: PasswordResetRequestInput!) { requestPasswordReset(input: $input) { ok } }`,
      { input: { tenantSlug: locals.tenant!.tenantSlug, email } },
      { url: serverConfig().gatewayUrl },
    );
    if (!r.ok) {
      if (r.code === 'RATE_LIMITED') return refuse(429, 'signUp.error.throttled');
      if (r.code === 'BAD_USER_INPUT') return refuse(400, 'signUp.error.email');
      return refuse(r.reason === 'graphql' ? 400 : 503, 'error.generic');
    }
    return { sent: email };
  },
};
