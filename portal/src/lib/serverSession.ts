import type { User } from 'firebase/auth';

/** Which login this browser last gave the portal's server a session for, and until when. */
const MARKER = 'wisp.serverSession';

const send = (method: 'POST' | 'DELETE', body?: unknown) =>
  // keepalive: signing out navigates away at once, and the server's session must still end.
  fetch('/session', { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', keepalive: true });

function marked(uid: string): boolean {
  try {
    const m = JSON.parse(localStorage.getItem(MARKER) ?? 'null') as { uid?: string; expiresAt?: string } | null;
    return !!m && m.uid === uid && !!m.expiresAt && Date.parse(m.expiresAt) > Date.now() + 60_000;
  } catch {
    return false;
  }
}

/**
 * Gives the portal's server a session for this login (an httpOnly cookie), once per login and
 * session, so its pages can be rendered with the user's data. `refused` when the gateway will not
 * start one (only a fresh sign-in may): the browser's login is then too old to keep.
 */
export async function syncServerSession(user: User | null): Promise<'ok' | 'refused' | 'unavailable'> {
  try {
    if (!user) {
      if (localStorage.getItem(MARKER) === null) return 'ok';
      if ((await send('DELETE')).ok) localStorage.removeItem(MARKER);
      return 'ok';
    }
    if (marked(user.uid)) return 'ok';
    const res = await send('POST', { idToken: await user.getIdToken() });
    if (res.ok) {
      const { expiresAt } = (await res.json()) as { expiresAt?: string };
      localStorage.setItem(MARKER, JSON.stringify({ uid: user.uid, expiresAt }));
      return 'ok';
    }
    return res.status === 401 ? 'refused' : 'unavailable';
  } catch {
    return 'unavailable';
  }
}

/** Hands the portal's server the second factor this tab just passed. */
export async function shareSecondFactor(session: { token: string; expiresAt: string }): Promise<void> {
  await send('POST', { secondFactor: session }).catch(() => undefined);
}
