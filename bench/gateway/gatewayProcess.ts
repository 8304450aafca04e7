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
    logging: string;
    landingPage: boolean;
    graphiql: boolean;
  }): ((req: IncomingMessage, res: ServerResponse) => void) & { dispose(): Promise<void> };
}
interface HivePlugin {
  onContextBuilding(e: { context: { request: Request }; extendContext(extra: object): void }): Promise<void>;
  onFetch(e: { options: { headers?: Record<string, string> }; setOptions(o: object): void; context?: object }): void;
}
const HIVE = '@graphql-hive/gateway';

const SUPERGRAPH = new URL('../../schema/supergraph.graphql', import.meta.url);

async function start(s: GatewaySetup): Promise<{ url: string; stop: () => Promise<void> }> {
  process.env.FIREBASE_AUTH_EMULATOR_HOST = s.emulatorHost;
  const sdl = withRoutingUrls(readFileSync(SUPERGRAPH, 'utf8'), s.subgraphUrls);
  if (s.kind === 'project') {
    const gw = await startProjectGateway({ port: 0, identitySecret: s.identitySecret, firebaseProjectId: s.projectId, subgraphUrls: s.subgraphUrls, eventLog: s.eventLog });
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
          willSendRequest({ request, context }) {
            for (const [k, v] of Object.entries(ids.headers(context.identity ?? null, context.requestId))) request.http?.headers.set(k, v);
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
    onFetch({ options, setOptions, context }) {
      const ctx = context as { identity?: Identity | null; requestId?: string } | undefined;
      setOptions({ ...options, headers: { ...options.headers, ...ids.headers(ctx?.identity ?? null, ctx?.requestId) } });
    },
  };
  const runtime = createGatewayRuntime({ supergraph: sdl, plugins: () => [signing], logging: 'error', landingPage: false, graphiql: false });
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
