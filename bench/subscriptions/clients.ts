/**
 * The load side of the subscription benchmark, in its own processes so the gateway's memory is
 * measured alone: opens one graphql-ws connection per subscriber (in batches, so ten thousand
 * connections do not arrive in one burst) and reports every delivery.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

interface Start {
  url: string;
  subscribers: { token: string; field: string }[];
  /** Index of this process's first subscriber in the whole run. */
  offset: number;
  after: string;
  /** Connections opened at once. */
  batch: number;
}

const now = () => performance.timeOrigin + performance.now();
const send = (m: unknown) => process.send!(m);

process.once('message', (msg: Start) => {
  const deliveries: [number, number, number][] = []; // subscriber, seq, received at
  const errors: string[] = [];
  let errorCount = 0;
  const clients: Client[] = [];
  const fail = (e: string) => {
    errorCount++;
    if (errors.length < 5) errors.push(e);
  };
  const open = (s: Start['subscribers'][number], i: number) =>
    new Promise<void>((settled) => {
      const client = createClient({
        url: msg.url,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${s.token}` },
        retryAttempts: 0,
        on: { connected: () => settled(), closed: () => settled() },
      });
      clients.push(client);
      client.subscribe(
        { query: `subscription($after: String) { ${s.field}(after: $after) { cursor kind workOrder { id number status updatedAt } } }`, variables: { after: msg.after } },
        {
          next: (r) => {
            const payload = (r.data as Record<string, { cursor: string; kind: string }> | undefined)?.[s.field];
            if (payload?.kind === 'subscribed') return; // where the stream starts, not a change
            if (payload) deliveries.push([msg.offset + i, Number(payload.cursor), now()]);
            else fail(JSON.stringify(r.errors ?? r));
          },
          error: (e) => {
            // A refused or dropped socket arrives as a CloseEvent, whose fields do not serialise.
            const close = e as { code?: number; reason?: string };
            fail(e instanceof Error ? e.message : close.code !== undefined ? `closed ${close.code} ${close.reason ?? ''}`.trim() : JSON.stringify(e));
            settled();
          },
          complete: () => undefined,
        },
      );
    });
  void (async () => {
    for (let i = 0; i < msg.subscribers.length; i += msg.batch) {
      await Promise.all(msg.subscribers.slice(i, i + msg.batch).map((s, k) => open(s, i + k)));
    }
    send({ type: 'ready', errorCount });
  })();
  process.on('message', (m: { type: string }) => {
    if (m.type === 'report') send({ type: 'report', deliveries, errors, errorCount });
    if (m.type === 'stop') void Promise.all(clients.map((c) => c.dispose())).then(() => process.exit(0));
  });
});
