import type { User } from 'firebase/auth';

/** Which login this browser last gave the portal's server a session for. */
const MARKER = 'wisp.serverSession';

const send = (method: 'POST' | 'DELETE', body?: unknown) =>
  // keepalive: signing out navigates away at once, and the server's session must still end.
  fetch('/session', { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', keepalive: true });

/**
 * Gives the portal's server a session for this login (an httpOnly cookie), once per login, so its
 * pages can be rendered with the user's data. The gateway only accepts a fresh sign-in for it:
 * an older one leaves the server without a session, and pages then ask to sign in again.
 */
export async function syncServerSession(user: User | null): Promise<void> {
  try {
    if (!user) {
      if (localStorage.getItem(MARKER) === null) return;
      if ((await send('DELETE')).ok) localStorage.removeItem(MARKER);
      return;
    }
    if (localStorage.getItem(MARKER) === user.uid) return;
    const res = await send('POST', { idToken: await user.getIdToken() });
    if (res.ok) localStorage.setItem(MARKER, user.uid);
  } catch {
    // Pages that need the server's session say so themselves.
  }
}

/** Hands the portal's server the second factor this tab just passed. */
export async function shareSecondFactor(session: { token: string; expiresAt: string }): Promise<void> {
  await send('POST', { secondFactor: session }).catch(() => undefined);
}
