import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLarge, firebaseAuth, readBodyLimited, sendError, sendJson } from '@wisp/shared';
import type { Auth } from 'firebase-admin/auth';
import { tenantOf, type TokenCheck } from './auth.ts';

/** Options of {@link sessionRoutes}. */
export interface SessionRouteOptions {
  projectId: string;
  /** Checks the ID token exactly as a request's would be (user record, tenant, revocation). */
  verifyToken: (idToken: string) => Promise<TokenCheck>;
  /** How long a session lasts. @default 5 days (Firebase allows 5 minutes to 14 days) */
  sessionMs?: number;
  /** Only a sign-in this recent may start a session, so a stolen old token cannot. @default 5 minutes */
  recentSignInMs?: number;
  auth?: Auth;
}

export const SESSION_PATH = '/session';

/**
 * `POST /session` with `{ "idToken": "…" }`: exchanges the ID token of a fresh sign-in for a
 * Firebase session cookie of the same login and Firebase tenant, which the portal's server keeps
 * in an httpOnly cookie and presents as `Authorization: Session <cookie>`. The gateway checks a
 * session cookie on every request as it checks an ID token: user record, tenant, revocation.
 */
export function sessionRoutes(options: SessionRouteOptions) {
  const auth = options.auth ?? firebaseAuth(options.projectId);
  const sessionMs = options.sessionMs ?? 5 * 24 * 3600_000;
  const recentMs = options.recentSignInMs ?? 5 * 60_000;

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname !== SESSION_PATH) return false;
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      sendError(res, 405, 'BAD_USER_INPUT', 'Use POST.');
      return true;
    }
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      sendError(res, 415, 'BAD_USER_INPUT', 'Send JSON: { "idToken": "…" }.');
      return true;
    }
    let idToken: unknown;
    try {
      idToken = (JSON.parse((await readBodyLimited(req, 16 * 1024)).toString('utf8')) as { idToken?: unknown }).idToken;
    } catch (err) {
      sendError(res, err instanceof BodyTooLarge ? 413 : 400, 'BAD_USER_INPUT', err instanceof BodyTooLarge ? 'The request body is too large.' : 'Send JSON: { "idToken": "…" }.');
      return true;
    }
    if (typeof idToken !== 'string' || idToken.length > 8192 || idToken.startsWith('wisp_')) {
      sendError(res, 400, 'BAD_USER_INPUT', 'idToken must be a Firebase ID token.');
      return true;
    }
    const check = await options.verifyToken(idToken);
    if (!check.ok) {
      sendError(res, check.reason === 'unavailable' ? 503 : 401, check.reason === 'unavailable' ? 'INTERNAL' : 'UNAUTHENTICATED', check.message);
      return true;
    }
    const tenant = tenantOf(idToken);
    const pool = tenant ? auth.tenantManager().authForTenant(tenant) : auth;
    try {
      const decoded = await pool.verifyIdToken(idToken);
      if (Date.now() - decoded.auth_time * 1000 > recentMs) {
        sendError(res, 401, 'UNAUTHENTICATED', 'Sign in again to start a session.', undefined, { reason: 'SIGN_IN_NOT_RECENT' });
        return true;
      }
      const sessionCookie = await pool.createSessionCookie(idToken, { expiresIn: sessionMs });
      sendJson(res, 200, { sessionCookie, expiresAt: new Date(Date.now() + sessionMs).toISOString() });
    } catch {
      sendError(res, 401, 'UNAUTHENTICATED', 'The sign-in token is not valid.');
    }
    return true;
  };
}
