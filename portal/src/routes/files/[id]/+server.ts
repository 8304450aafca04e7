import { error } from '@sveltejs/kit';
import { downloadAsSession } from '$lib/server/attachmentUpload';
import type { RequestHandler } from './$types';

/**
 * A ticket's file, for pages rendered by the server: fetched from the gateway as the signed-in
 * session, so the gateway decides who may see it, exactly as for the browser's own requests.
 */
export const GET: RequestHandler = async ({ params, locals }) => {
  if (!locals.session) error(401, 'Sign in to see this file.');
  if (!/^[a-f0-9]{24}$/i.test(params.id)) error(404, 'File not found.');
  const upstream = await downloadAsSession(locals.session, params.id).catch(() => null);
  if (!upstream) error(503, 'The file is not available right now.');
  if (!upstream.ok) error(upstream.status === 401 || upstream.status === 403 ? 403 : 404, 'File not found.');
  const headers = new Headers({ 'cache-control': 'private, no-store', 'x-content-type-options': 'nosniff' });
  for (const h of ['content-type', 'content-length', 'content-disposition', 'content-security-policy']) {
    const v = upstream.headers.get(h);
    if (v) headers.set(h, v);
  }
  return new Response(upstream.body, { status: 200, headers });
};
