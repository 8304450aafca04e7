/** Bodies a browser may send cross-site without asking first: a form post from another site. */
const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)\b/i;

/**
 * Refuses a form post whose Origin is not this portal's own host: another site cannot make a
 * signed-in browser act here. The session cookie is SameSite=Lax as well, so it is not even sent.
 */
export function crossSiteFormPost(request: Request, url: URL): boolean {
  if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return false;
  if (!FORM_TYPES.test(request.headers.get('content-type') ?? '')) return false;
  return !fromOwnHost(request, url);
}

/** Whether a request says it comes from a page of this portal's own host (any method, any body). */
export function fromOwnHost(request: Request, url: URL): boolean {
  const origin = request.headers.get('origin');
  if (!origin || origin === 'null') return false;
  try {
    return new URL(origin).host === url.host;
  } catch {
    return false;
  }
}
