import { json } from '@sveltejs/kit';
import { endSession, rememberSecondFactor, startSession } from '$lib/server/session';
import type { RequestHandler } from './$types';

import { fromOwnHost } from '$lib/server/csrf';

/**
 * `POST /session` `{ idToken }` after the browser signs in (and `{ secondFactor: { token,
 * expiresAt } }` once it passed its second factor): the server keeps them in httpOnly cookies, so
 * pages can be rendered for the signed-in user. `DELETE /session` ends it.
 */
export const POST: RequestHandler = async ({ request, cookies, url }) => {
  if (!fromOwnHost(request, url)) return json({ message: 'Cross-site request refused.' }, { status: 403 });
  const body = (await request.json().catch(() => null)) as { idToken?: unknown; secondFactor?: { token?: unknown; expiresAt?: unknown } } | null;
  if (body?.secondFactor && typeof body.secondFactor.token === 'string' && typeof body.secondFactor.expiresAt === 'string') {
    rememberSecondFactor(cookies, url, body.secondFactor.token, body.secondFactor.expiresAt);
    return json({ ok: true });
  }
  if (typeof body?.idToken !== 'string') return json({ message: 'Send { idToken }.' }, { status: 400 });
  const started = await startSession(cookies, url, body.idToken);
  return started.ok ? json({ ok: true, expiresAt: started.expiresAt }) : json({ message: started.message }, { status: started.status });
};

export const DELETE: RequestHandler = async ({ request, cookies, url }) => {
  if (!fromOwnHost(request, url)) return json({ message: 'Cross-site request refused.' }, { status: 403 });
  endSession(cookies);
  return json({ ok: true });
};
