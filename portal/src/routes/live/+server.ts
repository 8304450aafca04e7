import { relayLive, type RelayFeed } from '$lib/server/liveRelay';
import { sessionGraphql } from '$lib/server/session';
import type { RequestHandler } from './$types';

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/**
 * `GET /live` (`?ticket=<id>` for one ticket, `?feed=queue` for staff's whole queue): the signed-in
 * customer's ticket changes (or the tenant's, for staff) as
 * Server-Sent Events, relayed from the gateway's live updates with the visitor's own session. Each
 * change is an `event: change` whose id is its cursor, so a reconnecting EventSource resumes
 * (`Last-Event-ID`) without losing one; `event: ready` once the feed is subscribed; `event:
 * signed-out` when the session is over.
 */
export const GET: RequestHandler = async ({ locals, url, request }) => {
  const session = locals.session;
  if (!session) return new Response('Sign in to follow your tickets.', { status: 401, headers: { 'content-type': 'text/plain' } });
  // A chosen account the login is no longer linked to is dropped (cookie too) before the stream
  // starts, which follows the login's default account instead of reading as signed out.
  if (session.account) await sessionGraphql(session, '{ viewer { uid } }');
  const ticket = url.searchParams.get('ticket');
  if (ticket !== null && !OBJECT_ID.test(ticket)) return new Response('Unknown ticket.', { status: 400, headers: { 'content-type': 'text/plain' } });
  const feed: RelayFeed = ticket ? { ticket } : url.searchParams.get('feed') === 'queue' ? { queue: true } : { mine: true };
  const last = request.headers.get('last-event-id') ?? url.searchParams.get('after');
  const after = last && /^\d{1,20}$/.test(last) ? last : null;

  const encoder = new TextEncoder();
  let stop: (() => void) | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let open = true;
      const send = (text: string) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          open = false;
        }
      };
      const close = () => {
        if (!open) return;
        open = false;
        clearInterval(heartbeat);
        stop?.();
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      // Reconnect after 2 s when the stream drops; a comment line every 20 s keeps proxies from timing it out.
      send('retry: 2000\n\n');
      heartbeat = setInterval(() => send(': keep-alive\n\n'), 20_000);
      stop = relayLive(session, feed, after, {
        ready: () => send('event: ready\ndata: {}\n\n'),
        change: (change) => send(`event: change\nid: ${change.cursor}\ndata: ${JSON.stringify(change)}\n\n`),
        end: (reason) => {
          if (reason === 'signed-out') send('event: signed-out\ndata: {}\n\n');
          close();
        },
      });
      request.signal.addEventListener('abort', close);
    },
    cancel() {
      clearInterval(heartbeat);
      stop?.();
    },
  });
  return new Response(body, {
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
  });
};
