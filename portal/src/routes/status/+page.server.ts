import { error } from '@sveltejs/kit';
import { serverConfig } from '$lib/server/config';
import { gatewayRequest } from '$lib/server/gatewayRequest';
import { STATUS_DEPENDENCY, STATUS_PAGE_QUERY, type ServiceNotice } from './statusPage';
import { createTranslator } from '$lib/i18n';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url, depends, setHeaders, locals }) => {
  depends(STATUS_DEPENDENCY);
  const result = await gatewayRequest<{ statusPage: { timeZone: string | null; notices: ServiceNotice[] } | null }>(
    STATUS_PAGE_QUERY,
    { host: url.host },
    { url: serverConfig().gatewayUrl },
  );
  if (!result.ok) {
    console.error(`[portal] status page for ${url.host}: ${result.reason} ${result.detail}`);
    error(503, createTranslator(locals.lang).t('status.unavailable'));
  }
  if (!result.data.statusPage) error(404, 'This portal address is not recognised.');
  // A status page is read when things go wrong: never an old copy from a cache.
  setHeaders({ 'cache-control': 'no-store' });
  return { statusPage: result.data.statusPage, loadedAt: new Date().toISOString() };
};
