import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import { createTranslator } from '$lib/i18n';
import { STAFF_ROLES } from '$lib/portal/gateway';
import { sessionGraphql, type ServerSession } from './session';

/** The signed-in member of staff a /staff page is rendered for. */
export interface StaffViewer {
  uid: string;
  role: string;
}

/** Signed out (or the session is over): the start page signs in, without scripts too, and comes back. */
export const staffSignIn = (url: URL): never => redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);

/** The session a staff page's action runs with; none sends the visitor to sign in first. */
export function requireStaffSession(session: ServerSession | null, url: URL): ServerSession {
  if (!session) staffSignIn(url);
  return session!;
}

/**
 * Who may see a staff screen, asked of the gateway with the visitor's session: the tenant's agents
 * and administrators. Anyone else gets the same "not available" the browser's gate shows (403),
 * never the screen; the gateway checks every call again, so this only decides what is rendered.
 */
export async function staffViewer(session: ServerSession | null, url: URL, lang: App.Locals['lang'], allow: 'staff' | 'admin' = 'staff'): Promise<StaffViewer> {
  const live = requireStaffSession(session, url);
  const r = await sessionGraphql<{ viewer: { uid: string; role: string } | null }>(live, '{ viewer { uid role } }');
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') staffSignIn(url);
    error(503, createTranslator(lang).t('error.tryLater'));
  }
  const viewer = r.data.viewer;
  if (!viewer) staffSignIn(url);
  const permitted = allow === 'admin' ? viewer!.role === 'TENANT_ADMIN' : STAFF_ROLES.includes(viewer!.role);
  if (!permitted) error(403, createTranslator(lang).t('gate.wrongRoleBody'));
  return { uid: viewer!.uid, role: viewer!.role };
}

/** An /admin page's viewer: the tenant's administrators only; agents and customers get "not available". */
export const adminViewer = (session: ServerSession | null, url: URL, lang: App.Locals['lang']) => staffViewer(session, url, lang, 'admin');

/** An /admin page's form actions, each run only for the tenant's administrators. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const adminOnly = <A extends Record<string, (event: any) => unknown>>(actions: A): A => staffOnly(actions, 'admin');

/**
 * A staff page's form actions, each run only for agents and administrators. SvelteKit runs an
 * action before any load, so the layout's gate does not cover a post: without this, a customer's
 * session could post a staff form straight to the gateway.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function staffOnly<A extends Record<string, (event: any) => unknown>>(actions: A, allow: 'staff' | 'admin' = 'staff'): A {
  return Object.fromEntries(
    Object.entries(actions).map(([name, action]) => [
      name,
      async (event: RequestEvent & Parameters<A[string]>[0]) => {
        // Signed out: back to the page itself afterwards, not to the action's address.
        await staffViewer(event.locals.session, new URL(event.url.pathname, event.url.origin), event.locals.lang, allow);
        return action(event);
      },
    ]),
  ) as A;
}
