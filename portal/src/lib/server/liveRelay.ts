import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { serverConfig } from './config';
import type { ServerSession } from './session';

/** What one change tells the browser: enough to say which ticket changed, never more than the gateway let through. */
export interface RelayedChange {
  cursor: string;
  kind: string;
  workOrder: { id: string; number: string; title: string; status: string; type: string } | null;
}

/** The gateway's close codes that mean the session is over (see the gateway's LiveCloseCode). */
const SIGNED_OUT = new Set([4401, 4403, 4412, 4419]);

const SELECTION = 'cursor kind workOrder { id number title status type }';

/**
 * The live feeds relayed for a ticket page, for the customer's whole list and the outages
 * affecting them, or (staff) for every change to the tenant's queue.
 */
export type RelayFeed = { ticket: string } | { mine: true } | { queue: true };

const subscriptionsFor = (feed: RelayFeed): { field: string; query: string; variables: Record<string, unknown> }[] =>
  'ticket' in feed
    ? [
        { field: 'workOrderUpdated', query: `subscription ($id: ID!, $after: String) { workOrderUpdated(id: $id, after: $after) { ${SELECTION} } }`, variables: { id: feed.ticket } },
        { field: 'messageAdded', query: `subscription ($id: ID!, $after: String) { messageAdded(workOrderId: $id, after: $after) { cursor kind } }`, variables: { id: feed.ticket } },
      ]
    : 'queue' in feed
      ? [{ field: 'queueChanged', query: `subscription ($after: String) { queueChanged(after: $after) { ${SELECTION} } }`, variables: {} }]
      : [
          { field: 'myWorkOrdersChanged', query: `subscription ($after: String) { myWorkOrdersChanged(after: $after) { ${SELECTION} } }`, variables: {} },
          { field: 'serviceNoticesChanged', query: `subscription ($after: String) { serviceNoticesChanged(after: $after) { ${SELECTION} } }`, variables: {} },
        ];

/**
 * Subscribes to the gateway over graphql-ws as the signed-in browser (its session cookie and
 * second factor, checked there exactly as for its HTTP calls) and hands each change on.
 * `after` resumes right after a cursor the browser already has. Returns the function that stops.
 */
export function relayLive(
  session: ServerSession,
  feed: RelayFeed,
  after: string | null,
  on: { ready: () => void; change: (change: RelayedChange) => void; end: (reason: 'signed-out' | 'gone') => void },
): () => void {
  const url = serverConfig().gatewayUrl.replace(/^http/, 'ws');
  let ended = false;
  const end = (reason: 'signed-out' | 'gone') => {
    if (ended) return;
    ended = true;
    on.end(reason);
    stop();
  };
  const client: Client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Session ${session.cookie}`, ...(session.secondFactor ? { secondFactor: session.secondFactor } : {}), ...(session.account ? { account: session.account } : {}) },
    // The browser's EventSource reconnects (and resumes with its last id); this relay does not.
    retryAttempts: 0,
    on: { closed: (e) => end(SIGNED_OUT.has((e as { code?: number }).code ?? 0) ? 'signed-out' : 'gone') },
  });
  const subs = subscriptionsFor(feed);
  let opened = 0;
  const seen = new Set<string>();
  const stops = subs.map(({ field, query, variables }) =>
    client.subscribe<Record<string, RelayedChange>>(
      { query, variables: { ...variables, after } },
      {
        next: (value) => {
          const change = value.data?.[field];
          if (!change) return;
          if (change.kind === 'subscribed') {
            if (++opened === subs.length) on.ready();
            return;
          }
          // An outage reaches a customer on both feeds; hand it on once.
          if (seen.has(change.cursor)) return;
          seen.add(change.cursor);
          if (seen.size > 500) seen.delete(seen.values().next().value!);
          on.change(change);
        },
        error: (err) => {
          const code = Array.isArray(err) ? (err[0] as { extensions?: { code?: string } })?.extensions?.code : undefined;
          end(code === 'UNAUTHENTICATED' || code === 'FORBIDDEN' ? 'signed-out' : 'gone');
        },
        complete: () => end('gone'),
      },
    ),
  );
  function stop() {
    for (const s of stops) s();
    // A connection the gateway closed before it was acknowledged (a login no longer linked to the
    // chosen account, a session just ended) rejects its dispose: already closed, nothing to do.
    void Promise.resolve(client.dispose()).catch(() => undefined);
  }
  return () => {
    ended = true;
    stop();
  };
}
