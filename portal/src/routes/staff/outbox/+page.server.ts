import { error } from '@sveltejs/kit';
import { createTranslator } from '$lib/i18n';
import { sessionGraphql } from '$lib/server/session';
import { requireStaffSession, staffSignIn } from '$lib/server/staffGate';
import type { PageServerLoad } from './$types';

export interface OutboxEmail {
  id: string;
  to: string;
  subject: string;
  text: string;
  kind: string;
  status: string;
  createdAt: string;
}

/** The mail the installation has sent (the development outbox), newest first, rendered by the server. */
export const load: PageServerLoad = async ({ locals, url, depends }) => {
  depends('staff:outbox');
  const session = requireStaffSession(locals.session, url);
  const r = await sessionGraphql<{ outboxEmails: OutboxEmail[] }>(session, '{ outboxEmails(first: 50) { id to subject text kind status createdAt } }');
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') staffSignIn(url);
    if (r.reason === 'graphql') return { emails: [] as OutboxEmail[], loadError: r.detail };
    error(503, createTranslator(locals.lang).t('error.tryLater'));
  }
  return { emails: r.data.outboxEmails, loadError: null };
};
