import { error } from '@sveltejs/kit';
import { createTranslator } from '$lib/i18n';
import { billingFileAsSession } from '$lib/server/billingFiles';
import type { RequestHandler } from './$types';

/**
 * An invoice PDF, fetched from the gateway as the signed-in session: the gateway and the customer
 * service decide who may see it, exactly as for any other request of this login.
 */
export const GET: RequestHandler = async ({ params, locals }) => {
  const i18n = createTranslator(locals.lang, locals.tenant?.timeZone);
  if (!locals.session) error(401, i18n.t('billing.file.signIn'));
  if (!/^[a-f0-9]{24}$/i.test(params.id)) error(404, i18n.t('billing.file.notFound'));
  const upstream = await billingFileAsSession(locals.session, params.id).catch(() => null);
  if (!upstream) error(503, i18n.t('billing.file.unavailable'));
  if (!upstream.ok) error(upstream.status === 401 || upstream.status === 403 ? 403 : 404, i18n.t('billing.file.notFound'));
  const headers = new Headers({ 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff' });
  for (const h of ['content-type', 'content-length', 'content-disposition', 'content-security-policy']) {
    const v = upstream.headers.get(h);
    if (v) headers.set(h, v);
  }
  return new Response(upstream.body, { status: 200, headers });
};
