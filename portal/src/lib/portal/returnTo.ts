/**
 * Where sign-in sends someone back to: a path on this portal only. Anything that would leave the
 * origin (`https://…`, `//host`, `/\host`) or is not a path gives null, so a crafted link cannot
 * bounce a freshly signed-in customer to another site.
 */
export function safeReturnPath(raw: string | null | undefined, origin: string): string | null {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return null;
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // The start page itself is no return target: it would only ask again.
  return path === '/' || url.pathname === '/' ? null : path;
}

/** The sign-in page, remembering where to go afterwards (none, or the start page: the start page). */
export const signInPath = (next: string | null | undefined): string => (next && next !== '/' ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in');

/** The sign-in page, remembering the page the visitor asked for. */
export function signInHref(current: URL): string {
  return signInPath(`${current.pathname}${current.search}`);
}
