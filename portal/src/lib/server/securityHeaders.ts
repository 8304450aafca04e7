import { publicConfig } from '$lib/config';

const origin = (url: string): string | null => {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
};

/**
 * The Content-Security-Policy directives beside the `script-src` SvelteKit writes (with the nonce
 * of its own inline bootstrap script). Pages call only the portal's own server (form posts, the
 * `/live` stream, uploads): signing in and every gateway call are the server's, so no page talks
 * to the gateway or to Firebase Auth, and none frames anything. Branding sets inline styles, and
 * logos may live elsewhere. No page may be framed: sign-in and ticket pages are not for clickjacking.
 */
export function cspDirectives(): string[] {
  const config = publicConfig();
  const gateway = origin(config.gatewayUrl);
  return [
    "default-src 'self'",
    "connect-src 'self'",
    `img-src 'self' data: blob: https: ${gateway ?? ''}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self' data:",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ];
}

/**
 * Adds the portal's security headers to a response: the CSP (merged with the one SvelteKit set,
 * if any), no MIME sniffing, and no full URLs (reset links, ticket ids) in Referer to other sites.
 */
export function withSecurityHeaders(response: Response): Response {
  let res = response;
  try {
    res.headers.set('x-content-type-options', 'nosniff');
  } catch {
    // Headers of a fetched response are immutable: copy it.
    res = new Response(response.body, response);
    res.headers.set('x-content-type-options', 'nosniff');
  }
  res.headers.set('referrer-policy', 'strict-origin-when-cross-origin');
  const existing = res.headers.get('content-security-policy');
  const have = new Set((existing ?? '').split(';').map((d) => d.trim().split(/\s+/)[0]).filter(Boolean));
  const extra = cspDirectives().filter((d) => !have.has(d.split(' ')[0]!));
  res.headers.set('content-security-policy', [existing, ...extra].filter(Boolean).join('; '));
  return res;
}
