import { readFileSync } from 'node:fs';
import type { GraphQLSchema } from 'graphql';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import {
  assertUsableSecret,
  createLogger,
  errorMaskingPlugin,
  graphqlHttpHandler,
  IDENTITY_TS_HEADER,
  REQUEST_ID_HEADER,
  signClientAddressHeaders,
  signIdentityHeaders,
  signUserAgentHeaders,
  type Identity,
  type MongoOptions,
} from '@wisp/shared';
import { attachmentRoutes, routingUrlOf } from './attachments.ts';
import { createAuthenticator } from './auth.ts';
import { clientAddressOf } from './clientAddress.ts';
import { DEFAULT_LIMITS, queryLimitRules, type QueryLimits } from './limits.ts';
import { tenantServices } from './tenantServices.ts';
import { subscriptionsOverHttpPlugin } from './httpSubscriptions.ts';
import { liveQueryRunner } from './liveRunner.ts';
import { requiringSecondFactor, SECOND_FACTOR_HEADER, secondFactorGate, secondFactorPlugin, type SecondFactorState } from './secondFactor.ts';
import { createSessionVerifier } from './sessionAuth.ts';
import { startSubscriptions, type LiveOptions } from './subscriptions.ts';

/** What each request carries through the gateway. */
export interface GatewayContext {
  identity: Identity | null;
  requestId: string;
  /** Where the request came from (see clientAddress.ts), forwarded signed for rate limits. */
  clientAddress?: string;
  /** The caller's User-Agent header, forwarded signed for the audit trail. */
  userAgent?: string;
  /** What the login must still show beyond its password (see secondFactor.ts); null for anonymous callers. */
  secondFactor?: SecondFactorState | null;
}

/** How to run the gateway. */
export interface GatewayOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  /** Shared with every subgraph; the gateway signs each identity it forwards with it. */
  identitySecret: string;
  /** Firebase project whose ID tokens are accepted. */
  firebaseProjectId: string;
  /** Subgraph name -> URL, overriding the routing URLs in the committed supergraph. */
  subgraphUrls?: Record<string, string | undefined>;
  /** The composed supergraph. @default schema/supergraph.graphql */
  supergraphSdl?: string;
  /** @default {@link DEFAULT_LIMITS} */
  limits?: QueryLimits;
  /** Largest request body accepted. @default 100 000 bytes */
  maxBodyBytes?: number;
  /**
   * The event log's database (the one the work-order and messaging subgraphs append to). Without
   * it the gateway still serves queries, but refuses every subscription with a clear error.
   */
  eventLog?: MongoOptions;
  /** Live-update tuning (event log polling, token rechecks, limits). */
  live?: LiveOptions;
}

export interface RunningGateway {
  url: string;
  port: number;
  server: Server;
  stop: () => Promise<void>;
}

const SUPERGRAPH = new URL('../../schema/supergraph.graphql', import.meta.url);

export async function start(options: GatewayOptions): Promise<RunningGateway> {
  assertUsableSecret(options.identitySecret);
  const log = createLogger('gateway');
  const tenant = tenantServices(options);
  const authenticate = tenant.checkingTenantStatus(createAuthenticator({ projectId: options.firebaseProjectId }));
  const overrides = options.subgraphUrls ?? {};
  const supergraphSdl = options.supergraphSdl ?? readFileSync(SUPERGRAPH, 'utf8');
  const secondFactorOf = secondFactorGate({ identitySecret: options.identitySecret, customerUrl: overrides.customer ?? routingUrlOf('customer', supergraphSdl)!, log });
  // The plain HTTP routes authenticate by themselves; this makes them hold logins to their second factor too.
  const routeRequest = new AsyncLocalStorage<IncomingMessage>();
  const authenticateRoute = requiringSecondFactor(authenticate, secondFactorOf, () => routeRequest.getStore());
  // Plain HTTP beside /graphql: branding assets and uploads, ticket attachments.
  const routeHandlers = [
    tenant.routes(authenticateRoute),
    attachmentRoutes({ authenticate: authenticateRoute, identitySecret: options.identitySecret, messagingUrl: overrides.messaging ?? routingUrlOf('messaging', supergraphSdl)! }),
  ];

  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url: overrides[name] ?? url,
        willSendRequest({ request, context }) {
          // Every subgraph call carries a fresh signature, anonymous ones included.
          for (const [k, v] of Object.entries(signIdentityHeaders(context.identity ?? null, options.identitySecret))) {
            request.http?.headers.set(k, v);
          }
          if (context.requestId) request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
          const ts = request.http?.headers.get(IDENTITY_TS_HEADER);
          if (context.clientAddress && ts) for (const [k, v] of Object.entries(signClientAddressHeaders(context.clientAddress, options.identitySecret, ts))) request.http?.headers.set(k, v);
          if (context.userAgent && ts) for (const [k, v] of Object.entries(signUserAgentHeaders(context.userAgent, options.identitySecret, ts))) request.http?.headers.set(k, v);
        },
      }),
  });

  const httpServer = createServer();
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    csrfPrevention: true,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    validationRules: queryLimitRules(options.limits ?? DEFAULT_LIMITS),
    parseOptions: { maxTokens: 5_000 },
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginLandingPageDisabled(), errorMaskingPlugin(log), subscriptionsOverHttpPlugin(), secondFactorPlugin()],
  });
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: loaded }) => {
    apiSchema = loaded;
  });
  await apollo.start();
  const subscriptions = await startSubscriptions({
    httpServer,
    schema: () => apiSchema,
    run: liveQueryRunner(apollo),
    // A revocation answer is reused for at most half the recheck period, so rechecks see fresh state.
    secondFactor: async (identity, marker) => {
      const state = await secondFactorOf(identity, marker);
      return !state?.required || state.satisfied;
    },
    verifySession: tenant.checkingSessionTenant(
      createSessionVerifier({ projectId: options.firebaseProjectId, reuseMs: Math.min(30_000, (options.live?.recheckMs ?? 60_000) / 2) }),
    ),
    eventLog: options.eventLog,
    live: options.live,
    limits: options.limits ?? DEFAULT_LIMITS,
    maxPayloadBytes: options.maxBodyBytes ?? 100_000,
    logger: log,
  }).catch(async (err: unknown) => {
    await apollo.stop();
    throw err;
  });

  httpServer.on(
    'request',
    graphqlHttpHandler(apollo, {
      cors: true,
      maxBodyBytes: options.maxBodyBytes ?? 100_000,
      routes: async (req, res, url) => {
        for (const handle of routeHandlers) if (await routeRequest.run(req, () => handle(req, res, url))) return true;
        return false;
      },
      context: async (req, requestId) => {
        const identity = await authenticate(req.headers.authorization);
        const token = req.headers[SECOND_FACTOR_HEADER];
        const secondFactor = await secondFactorOf(identity, typeof token === 'string' ? token : undefined);
        return { identity, requestId, clientAddress: clientAddressOf(req), userAgent: req.headers['user-agent'], secondFactor };
      },
    }),
  );
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  log.info('listening', { port });
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    server: httpServer,
    stop: async () => {
      await subscriptions.stop();
      await apollo.stop();
    },
  };
}

export { LiveCloseCode, type LiveOptions } from './subscriptions.ts';
