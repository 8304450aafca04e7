/**
 * One gateway under test, in its own process (as it would be deployed): the project's gateway,
 * stock Apollo Gateway in Apollo Server, or Hive Gateway, each in front of the same running
 * subgraphs with the same supergraph and the same signed identity headers. It reports its URL
 * over IPC and stops on "stop".
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { Identity } from '@wisp/shared';
import { start as startProjectGateway } from '@wisp/gateway';
import { BENCH_RATE_LIMITS } from '../lib/rateLimits.ts';
import { stockIdentity, withRoutingUrls } from './stockIdentity.ts';

export type GatewayKind = 'project' | 'apollo' | 'hive';

/** What the parent process sends to start a gateway. */
export interface GatewaySetup {
  kind: GatewayKind;
  subgraphUrls: Record<string, string>;
  identitySecret: string;
  projectId: string;
  emulatorHost: string;
  eventLog?: { uri: string; dbPrefix: string };
}

/**
 * The part of Hive Gateway used here. Its own typings pull the DOM library into the whole
 * TypeScript project (through @whatwg-node/fetch), which breaks Node's fetch types elsewhere, so
 * it is loaded untyped by name.
 */
interface HiveGateway {
  createGatewayRuntime(config: {
    supergraph: string;
    plugins: () => HivePlugin[];
    transportEntries: Record<string, { options: { deduplicateInflightRequests: boolean } }>;
    logging: string;
    landingPage: boolean;
    graphiql: boolean;
  }): ((req: IncomingMessage, res: ServerResponse) => void) & { dispose(): Promise<void> };
}
interface HivePlugin {
  onContextBuilding(e: { context: { request: Request }; extendContext(extra: object): void }): Promise<void>;
  onFetch(e: { url: string; options: { headers?: Record<string, string>; body?: unknown; method?: string }; setOptions(o: object): void; context?: object }): void;
}
const HIVE = '@graphql-hive/gateway';
/** Carries a call's identity from willSendRequest to the fetch that signs it; never leaves this process. */
const PENDING_IDENTITY = 'x-bench-pending-identity';

const SUPERGRAPH = new URL('../../schema/supergraph.graphql', import.meta.url);

async function start(s: GatewaySetup): Promise<{ url: string; stop: () => Promise<void> }> {
  process.env.FIREBASE_AUTH_EMULATOR_HOST = s.emulatorHost;
  const sdl = withRoutingUrls(readFileSync(SUPERGRAPH, 'utf8'), s.subgraphUrls);
  if (s.kind === 'project') {
    const gw = await startProjectGateway({ port: 0, identitySecret: s.identitySecret, firebaseProjectId: s.projectId, subgraphUrls: s.subgraphUrls, eventLog: s.eventLog, rateLimits: BENCH_RATE_LIMITS });
    return { url: gw.url, stop: gw.stop };
  }
  const ids = stockIdentity(s.projectId, s.identitySecret);
  if (s.kind === 'apollo') {
    interface Ctx {
      identity: Identity | null;
      requestId: string;
    }
    const gateway = new ApolloGateway({
      supergraphSdl: sdl,
      buildService: ({ url }) =>
        new RemoteGraphQLDataSource<Ctx>({
          url,
          // The signature covers the exact body sent, which only the fetch sees: the identity
          // travels to it in a header of this process's own, replaced by the signed ones.
          willSendRequest({ request, context }) {
            request.http?.headers.set(PENDING_IDENTITY, Buffer.from(JSON.stringify({ identity: context.identity ?? null, requestId: context.requestId })).toString('base64url'));
          },
          fetcher: async (input, init) => {
            const headers = new Headers(init?.headers as ConstructorParameters<typeof Headers>[0]);
            const pending = JSON.parse(Buffer.from(headers.get(PENDING_IDENTITY) ?? '', 'base64url').toString('utf8') || '{}') as { identity?: Identity | null; requestId?: string };
            headers.delete(PENDING_IDENTITY);
            const { pathname, search } = new URL(String(input));
            const body = typeof init?.body === 'string' ? init.body : '';
            for (const [k, v] of Object.entries(ids.headers(pending.identity ?? null, { method: init?.method ?? 'POST', path: `${pathname}${search}`, body }, pending.requestId))) headers.set(k, v);
            return fetch(String(input), { ...init, headers } as RequestInit) as never;
          },
        }),
    });
    const server = new ApolloServer<Ctx>({ gateway });
    const { url } = await startStandaloneServer(server, {
      listen: { port: 0, host: '127.0.0.1' },
      context: async ({ req }) => ({ identity: await ids.identify(req.headers.authorization), requestId: randomUUID() }),
    });
    return { url: new URL('/graphql', url).href, stop: () => server.stop() };
  }
  const { createGatewayRuntime } = (await import(HIVE)) as HiveGateway;
  const signing: HivePlugin = {
    async onContextBuilding({ context, extendContext }) {
      extendContext({ identity: await ids.identify(context.request.headers.get('authorization')), requestId: randomUUID() });
    },
    onFetch({ url, options, setOptions, context }) {
      const ctx = context as { identity?: Identity | null; requestId?: string } | undefined;
      const { pathname, search } = new URL(url);
      const body = typeof options.body === 'string' ? options.body : '';
      setOptions({ ...options, headers: { ...options.headers, ...ids.headers(ctx?.identity ?? null, { method: options.method ?? 'POST', path: `${pathname}${search}`, body }, ctx?.requestId) } });
    },
  };
  const runtime = createGatewayRuntime({
    supergraph: sdl,
    plugins: () => [signing],
    // Hive shares one answer among identical subgraph calls in flight, keyed on the URL and body
    // but not on headers a plugin adds; with the identity in signed headers that hands one
    // caller's answer to another (measured: three customers at once all got the first one's
    // viewer). Off, as the other two gateways have nothing like it.
    transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } },
    logging: 'error',
    landingPage: false,
    graphiql: false,
  });
  const server = createServer(runtime);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    stop: async () => {
      await new Promise((r) => server.close(r));
      await runtime.dispose();
    },
  };
}

if (process.send) {
  let running: { stop: () => Promise<void> } | undefined;
  process.on('message', (m: { type: 'start'; setup: GatewaySetup } | { type: 'stop' }) => {
    if (m.type === 'start') {
      start(m.setup).then(
        (gw) => {
          running = gw;
          process.send!({ type: 'ready', url: gw.url });
        },
        (err: unknown) => process.send!({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
    } else {
      void (running?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
    }
  });
}
