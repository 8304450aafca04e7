import { serverConfig } from './config';
import { fetchAsSession, type ServerSession } from './session';

/** Fetches an invoice PDF from the gateway as the session's login, for the portal to pass on. */
export async function billingFileAsSession(session: ServerSession, fileId: string): Promise<Response> {
  const base = serverConfig().gatewayUrl.replace(/\/graphql\/?$/, '');
  return fetchAsSession(session, `${base}/billing-files/${encodeURIComponent(fileId)}`, {
    signal: AbortSignal.timeout(30_000),
  });
}
