/**
 * The load side of the subscription benchmark, in its own process so the gateway's memory is
 * measured alone: opens one graphql-ws connection per subscriber and reports every delivery.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

interface Start {
  url: string;
  subscribers: { token: string; field: string }[];
  after: string;
}

const now = () => performance.timeOrigin + performance.now();
const send = (m: unknown) => process.send!(m);

process.once('message', (msg: Start) => {
  const deliveries: [number, number, number][] = []; // subscriber, seq, received at
  const errors: string[] = [];
  let connected = 0;
  const clients: Client[] = msg.subscribers.map((s, i) => {
    const client = createClient({
      url: msg.url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${s.token}` },
      retryAttempts: 0,
      on: {
        connected: () => {
          if (++connected === msg.subscribers.length) send({ type: 'ready' });
        },
      },
    });
    client.subscribe(
      { query: `subscription($after: String) { ${s.field}(after: $after) { cursor kind workOrder { id number status updatedAt } } }`, variables: { after: msg.after } },
      {
        next: (r) => {
          const payload = (r.data as Record<string, { cursor: string; kind: string }> | undefined)?.[s.field];
          if (payload?.kind === 'subscribed') return; // where the stream starts, not a change
          if (payload) deliveries.push([i, Number(payload.cursor), now()]);
          else errors.push(JSON.stringify(r.errors ?? r));
        },
        error: (e) => void errors.push(JSON.stringify(e)),
        complete: () => undefined,
      },
    );
    return client;
  });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'report') send({ type: 'report', deliveries, errors: errors.slice(0, 5), errorCount: errors.length });
    if (m.type === 'stop') void Promise.all(clients.map((c) => c.dispose())).then(() => process.exit(0));
  });
});
