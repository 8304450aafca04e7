import { serverConfig } from './config';
import { fetchAsSession, type ServerSession } from './session';

/** Stores one file on a ticket through the gateway, as the session's login (the gateway types and sizes it). */
export async function uploadAsSession(session: ServerSession, workOrderId: string, file: File): Promise<{ ok: true; id: string } | { ok: false; message: string }> {
  const base = serverConfig().gatewayUrl.replace(/\/graphql\/?$/, '');
  let res: Response;
  try {
    res = await fetchAsSession(session, `${base}/attachments?workOrderId=${encodeURIComponent(workOrderId)}&filename=${encodeURIComponent(file.name || 'file')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from(await file.arrayBuffer()),
      signal: AbortSignal.timeout(30_000),
    });
  } catch {
    return { ok: false, message: 'The file could not be uploaded. Please try again.' };
  }
  const body = (await res.json().catch(() => null)) as { id?: string; errors?: { message?: string }[] } | null;
  if (!res.ok || !body?.id) return { ok: false, message: body?.errors?.[0]?.message ?? `The file could not be uploaded (${res.status}).` };
  return { ok: true, id: body.id };
}

/** Fetches a ticket's file from the gateway as the session's login, for the portal to pass on. */
export async function downloadAsSession(session: ServerSession, attachmentId: string): Promise<Response> {
  const base = serverConfig().gatewayUrl.replace(/\/graphql\/?$/, '');
  return fetchAsSession(session, `${base}/attachments/${encodeURIComponent(attachmentId)}`, {
    signal: AbortSignal.timeout(30_000),
  });
}
