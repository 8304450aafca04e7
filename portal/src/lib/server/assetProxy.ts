const ASSET_PATH = /^\/assets\/[0-9a-f]{64}\.(?:png|jpg|webp|ico|svg)$/;
const PASSED_HEADERS = ['content-type', 'content-length', 'cache-control', 'x-content-type-options', 'content-security-policy', 'etag'];

/** True for the address of an uploaded logo or favicon. */
export function isAssetPath(pathname: string): boolean {
  return ASSET_PATH.test(pathname);
}

/**
 * Serves an uploaded asset on the tenant's own host by fetching it from the gateway, so logos keep
 * the portal's origin (and no other host name appears in the page). The gateway's headers (type,
 * immutable caching, nosniff, the SVG sandbox policy) are passed on unchanged.
 */
export async function proxyAsset(gatewayUrl: string, pathname: string, method: string): Promise<Response> {
  let upstream: Response;
  try {
    upstream = await fetch(new URL(pathname, gatewayUrl), { method: method === 'HEAD' ? 'HEAD' : 'GET', signal: AbortSignal.timeout(10_000) });
  } catch {
    return new Response('Unavailable', { status: 503, headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' } });
  }
  if (!upstream.ok) return new Response('Not found', { status: upstream.status === 404 ? 404 : 502, headers: { 'content-type': 'text/plain', 'cache-control': 'no-store' } });
  const headers = new Headers();
  for (const name of PASSED_HEADERS) {
    const value = upstream.headers.get(name);
    if (value) headers.set(name, value);
  }
  headers.set('x-content-type-options', 'nosniff');
  return new Response(method === 'HEAD' ? null : upstream.body, { status: 200, headers });
}
