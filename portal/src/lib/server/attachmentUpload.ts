import { serverConfig } from './config';
import { fetchAsSession, type ServerSession } from './session';

const gatewayBase = () => serverConfig().gatewayUrl.replace(/\/graphql\/?$/, '');

/** Posts one file to a gateway upload route as the session's login; the gateway types, sizes and stores it. */
async function postFileAsSession<T extends object>(session: ServerSession, path: string, file: File): Promise<{ ok: true; body: T } | { ok: false; message: string }> {
  let res: Response;
  try {
    res = await fetchAsSession(session, `${gatewayBase()}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from(await file.arrayBuffer()),
      signal: AbortSignal.timeout(30_000),
    });
  } catch {
    return { ok: false, message: 'The file could not be uploaded. Please try again.' };
  }
  const body = (await res.json().catch(() => null)) as (T & { errors?: { message?: string }[] }) | null;
  if (!res.ok || !body || body.errors) return { ok: false, message: body?.errors?.[0]?.message ?? `The file could not be uploaded (${res.status}).` };
  return { ok: true, body };
}

/** Stores one file on a ticket through the gateway, as the session's login (the gateway types and sizes it). */
export async function uploadAsSession(session: ServerSession, workOrderId: string, file: File): Promise<{ ok: true; id: string } | { ok: false; message: string }> {
  const r = await postFileAsSession<{ id?: string }>(session, `/attachments?workOrderId=${encodeURIComponent(workOrderId)}&filename=${encodeURIComponent(file.name || 'file')}`, file);
  if (!r.ok) return r;
  return r.body.id ? { ok: true, id: r.body.id } : { ok: false, message: 'The file could not be uploaded. Please try again.' };
}

/** Stores a logo or favicon for the session's tenant through the gateway; answers the address the portal serves it at. */
export async function uploadBrandingAssetAsSession(session: ServerSession, file: File): Promise<{ ok: true; url: string } | { ok: false; message: string }> {
  const r = await postFileAsSession<{ url?: string }>(session, '/uploads/branding-asset', file);
  if (!r.ok) return r;
  return r.body.url ? { ok: true, url: r.body.url } : { ok: false, message: 'The file could not be uploaded. Please try again.' };
}

/** Fetches a ticket's file from the gateway as the session's login, for the portal to pass on. */
export async function downloadAsSession(session: ServerSession, attachmentId: string): Promise<Response> {
  return fetchAsSession(session, `${gatewayBase()}/attachments/${encodeURIComponent(attachmentId)}`, {
    signal: AbortSignal.timeout(30_000),
  });
}
