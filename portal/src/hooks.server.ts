import type { Handle, HandleServerError } from '@sveltejs/kit';
import { serverConfig } from '$lib/server/config';
import { neutralPage } from '$lib/server/neutralPage';
import { createTenantLookup } from '$lib/server/tenantLookup';
import { isAssetPath, proxyAsset } from '$lib/server/assetProxy';
import { withSecurityHeaders } from '$lib/server/securityHeaders';
import { readSession } from '$lib/server/session';
import { asVisitor } from '$lib/server/visitor';
import { crossSiteFormPost } from '$lib/server/csrf';
import { chooseLanguage, LANGUAGE_COOKIE } from '$lib/i18n/negotiate';
import { CATALOGUES } from '$lib/i18n/messages';
import { createTranslator, registerCatalogues } from '$lib/i18n/translator';

// Every language's messages, for every request's pages and actions (the browser gets only its page's).
registerCatalogues(CATALOGUES);

// A few seconds, so an admin's saved branding reaches the login page on the next reload.
const lookupTenant = createTenantLookup({ gatewayUrl: () => serverConfig().gatewayUrl, ttlMs: 3_000 });

export const handle: Handle = async (input) => withSecurityHeaders(await route(input));

const route: Handle = async ({ event, resolve }) => {
  if (crossSiteFormPost(event.request, event.url)) {
    return new Response('Cross-site form submissions are refused.', { status: 403, headers: { 'content-type': 'text/plain' } });
  }
  // Liveness for process supervisors; answers on any host and needs no tenant.
  if (event.url.pathname === '/healthz') return new Response('ok', { headers: { 'content-type': 'text/plain' } });

  // `url.host` is the Host header (or the proxy header named by HOST_HEADER), port included:
  // `{slug}.localhost:3000` in development, a tenant's custom domain in production.
  const result = await lookupTenant(event.url.host);

  if (result.kind === 'unavailable') {
    console.error(`[portal] tenant lookup for ${event.url.host} failed: ${result.detail}`);
    return neutralPage(503, 'Service unavailable', 'This portal is temporarily unavailable. Please try again in a few minutes.');
  }
  if (result.kind === 'unknown') {
    return neutralPage(404, 'Portal not found', 'This portal address is not recognised. Please check the address and try again.');
  }
  if (result.branding.suspended) {
    return neutralPage(503, 'Service unavailable', 'This portal is currently unavailable. Please contact your service provider.');
  }

  event.locals.tenant = result.branding;
  // Checked by the gateway on every call made with it, so nothing here trusts it by itself.
  event.locals.session = readSession(event.cookies);
  if (isAssetPath(event.url.pathname)) return proxyAsset(serverConfig().gatewayUrl, event.url.pathname, event.request.method);
  // Per request, from this request's own facts: nothing about one reader's language outlives their response.
  const lang = chooseLanguage({
    chosen: event.cookies.get(LANGUAGE_COOKIE),
    acceptLanguage: event.request.headers.get('accept-language'),
    offered: result.branding.portalLanguages,
    tenantDefault: result.branding.defaultLanguage,
  });
  event.locals.lang = lang;
  // The gateway calls this request makes carry the visitor's address, vouched for (see $lib/server/visitor).
  const response = await asVisitor(event.getClientAddress(), () => resolve(event, { transformPageChunk: ({ html }) => html.replace('%lang%', lang) }));
  // Pages differ by the reader's language: a shared cache must not hand one reader's to another.
  if (response.headers.get('content-type')?.startsWith('text/html')) response.headers.append('vary', 'Accept-Language');
  return response;
};

export const handleError: HandleServerError = ({ error, event, status, message }) => {
  if (status >= 500) {
    const id = crypto.randomUUID();
    console.error(`[portal] ${id} ${event.request.method} ${event.url.pathname}:`, error);
    return { message: createTranslator(event.locals.lang ?? 'en').t('error.server', { ref: id.slice(0, 8) }) };
  }
  return { message };
};
