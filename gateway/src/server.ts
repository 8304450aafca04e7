import { readFileSync } from 'node:fs';
import { GraphQLError, Kind, type GraphQLFormattedError } from './graphql.ts';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import {
  assertUsableSecret,
  checkAuthEmulatorMode,
  createLogger,
  errorMaskingPlugin,
  graphqlHttpHandler,
  IDENTITY_TS_HEADER,
  MAX_INBOUND_EMAIL_BYTES,
  inlineTracePlugins,
  REQUEST_ID_HEADER,
  signIdentityHeaders,
  signUserAgentHeaders,
  type Identity,
  type MongoOptions,
} from '@wisp/shared';
import { attachmentRoutes, routingUrlOf } from './attachments.ts';
import { createAuthenticator, createTokenVerifier } from './auth.ts';
import { clientAddressOf } from './clientAddress.ts';
import { vouchedClientAddress } from '@wisp/shared/clientAddress';
import { publicRoutes } from './publicRoutes.ts';
import { DEFAULT_LIMITS, queryLimitRules, type QueryLimits } from './limits.ts';
import { createRateLimiter, rateLimitPlugin, type RateLimitOptions } from './rateLimits.ts';
import { tenantServices } from './tenantServices.ts';
import { subscriptionsOverHttpPlugin } from './httpSubscriptions.ts';
import { subgraphFetcher, type SubgraphFetcher } from './subgraphFetch.ts';
import { withDistinctRepresentations } from './distinctRepresentations.ts';
import { liveQueryRunner } from './liveRunner.ts';
import { requiringSecondFactor, SECOND_FACTOR_HEADER, secondFactorGate, secondFactorPlugin, type SecondFactorState } from './secondFactor.ts';
import { createSessionVerifier } from './sessionAuth.ts';
import { ACCOUNT_HEADER, accountLinksPlugin, accountsLookup, actingAs } from './accounts.ts';
import { sessionRoutes } from './sessionRoute.ts';
import { liveCatalogue, type LiveCatalogue } from './liveCatalogue.ts';
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
  /**
   * Shared with the portal's server, which vouches with it for the visitor's address when it calls
   * on a visitor's behalf (see @wisp/shared/clientAddress). Unset: only the socket and trusted
   * proxies' `X-Forwarded-For` count. @default process.env.CLIENT_ADDRESS_SECRET
   */
  clientAddressSecret?: string;
  /** Firebase project whose ID tokens are accepted. */
  firebaseProjectId: string;
  /** Subgraph name -> URL, overriding the routing URLs in the committed supergraph. */
  subgraphUrls?: Record<string, string | undefined>;
  /** The composed supergraph. @default schema/supergraph.graphql */
  supergraphSdl?: string;
  /** @default {@link DEFAULT_LIMITS} */
  limits?: QueryLimits;
  /** Largest request body accepted over HTTP (a bulk sync of 500 customers fits). @default 1 000 000 bytes */
  maxBodyBytes?: number;
  /**
   * The event log's database (the one the work-order and messaging subgraphs append to). Without
   * it the gateway still serves queries, but refuses every subscription with a clear error.
   */
  eventLog?: MongoOptions;
  /** Live-update tuning (event log polling, token rechecks, limits). */
  live?: LiveOptions;
  /** Whether schema introspection is answered. @default GRAPHQL_INTROSPECTION=true, else off */
  introspection?: boolean;
  /**
   * Query-cost budgets per API key, login and anonymous address, kept in the gateway's database
   * (the one `eventLog` names) so all gateway processes share them. @default {@link DEFAULT_RATE_LIMITS}
   */
  rateLimits?: RateLimitOptions;
}

/** Introspection is for development tools; it is off unless GRAPHQL_INTROSPECTION=true. */
export function introspectionFromEnv(): boolean {
  return /^(1|true|yes)$/i.test(process.env.GRAPHQL_INTROSPECTION ?? '');
}

// Set by willSendRequest, turned into the signed headers by the fetcher (which sees the final body).
const PENDING_IDENTITY = 'x-wisp-pending-identity';
const PENDING_CLIENT = 'x-wisp-pending-client';
const PENDING_USER_AGENT = 'x-wisp-pending-user-agent';

/**
 * Sends each subgraph call with the caller's identity and address, signed together with the exact
 * body bytes, path and method and a one-time nonce, so captured headers cannot be replayed or
 * reused for another query.
 */
function signingDataSource(url: string, secret: string, send: SubgraphFetcher) {
  const fetcher = (async (target: string, init: { method?: string; headers?: Record<string, string>; body?: string }) => {
    const headers = { ...(init.headers ?? {}) };
    const identity = JSON.parse(headers[PENDING_IDENTITY] ?? 'null') as Identity | null;
    const clientAddress = headers[PENDING_CLIENT];
    const userAgent = headers[PENDING_USER_AGENT];
    delete headers[PENDING_IDENTITY];
    delete headers[PENDING_CLIENT];
    delete headers[PENDING_USER_AGENT];
    const { pathname, search } = new URL(target);
    Object.assign(headers, signIdentityHeaders(identity, secret, { method: init.method ?? 'POST', path: `${pathname}${search}`, body: init.body ?? '' }, clientAddress ? { clientAddress } : {}));
    // The user agent is recorded in audit trails, signed and bound to this request's timestamp.
    if (userAgent) Object.assign(headers, signUserAgentHeaders(decodeURIComponent(userAgent), secret, headers[IDENTITY_TS_HEADER]!));
    return send(target, { ...init, headers });
  }) as RemoteGraphQLDataSource['fetcher'];
  const source = new RemoteGraphQLDataSource<GatewayContext>({
    url,
    fetcher,
    willSendRequest({ request, context }) {
      request.http?.headers.set(PENDING_IDENTITY, JSON.stringify(context.identity ?? null));
      if (context.clientAddress) request.http?.headers.set(PENDING_CLIENT, context.clientAddress);
      if (context.userAgent) request.http?.headers.set(PENDING_USER_AGENT, encodeURIComponent(context.userAgent));
      if (context.requestId) request.http?.headers.set(REQUEST_ID_HEADER, context.requestId);
    },
  });
  source.process = withDistinctRepresentations(source.process.bind(source));
  return source;
}

/**
 * A document whose operation cannot be picked (several operations and no `operationName`, or an
 * unknown one) is the client's mistake: 400 OPERATION_RESOLUTION_FAILURE, before the gateway plans it.
 */
function operationResolutionPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request, document }) {
          if (operation) return;
          const named = request.operationName;
          const count = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
          const message = named ? `No operation named "${named.slice(0, 100)}" in the document.` : count > 1 ? 'The document has several operations: name one in operationName.' : 'The document has no operation.';
          throw new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } });
        },
      };
    },
  };
}

/**
 * Errors as clients see them carry no trace of the topology behind the gateway: the gateway's
 * `serviceName` and a failed subgraph call's `response` (its internal URL, status and body).
 */
function withoutTopology(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions) return formatted;
  const { serviceName: _service, response: _response, exception: _exception, ...extensions } = formatted.extensions as Record<string, unknown>;
  return { ...formatted, extensions };
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
  const clientAddressSecret = options.clientAddressSecret ?? (process.env.CLIENT_ADDRESS_SECRET || undefined);
  if (clientAddressSecret && clientAddressSecret.length < 32) throw new Error('CLIENT_ADDRESS_SECRET must be at least 32 characters (the gateway and the portal share it).');
  const log = createLogger('gateway');
  checkAuthEmulatorMode(log);
  const tenant = tenantServices(options);
  const overrides = options.subgraphUrls ?? {};
  const supergraphSdl = options.supergraphSdl ?? readFileSync(SUPERGRAPH, 'utf8');
  const customerUrl = overrides.customer ?? routingUrlOf('customer', supergraphSdl)!;
  // Which accounts a customer login may act for, kept with the answer for its token.
  const accountsOf = accountsLookup({ identitySecret: options.identitySecret, customerUrl, log });
  const verifierOptions = { projectId: options.firebaseProjectId, authTenantOf: tenant.authTenantOf, verifyApiKey: tenant.verifyApiKey, accountsOf };
  // One verifier (one user-record lookup per token per 30 s) for requests and live updates alike,
  // unless live rechecks are tuned so often that a 30 s answer would be too old for them.
  const verifyToken = createTokenVerifier(verifierOptions);
  const liveReuseMs = Math.min(30_000, (options.live?.recheckMs ?? 60_000) / 2);
  const liveVerifier = liveReuseMs === 30_000 ? verifyToken : createSessionVerifier({ ...verifierOptions, reuseMs: liveReuseMs });
  const authenticate = tenant.checkingTenantStatus(createAuthenticator(verifyToken));
  const secondFactorOf = secondFactorGate({ identitySecret: options.identitySecret, customerUrl, log });
  // The plain HTTP routes authenticate by themselves; this makes them hold logins to their second
  // factor too, and act for the account the request names like /graphql.
  const routeRequest = new AsyncLocalStorage<IncomingMessage>();
  const authenticateAs = async (authorization: string | undefined) => actingAs(await authenticate(authorization), routeRequest.getStore()?.headers[ACCOUNT_HEADER]);
  const authenticateRoute = requiringSecondFactor(authenticateAs, secondFactorOf, () => routeRequest.getStore());
  // Plain HTTP beside /graphql: branding assets and uploads, ticket attachments.
  const messagingUrl = overrides.messaging ?? routingUrlOf('messaging', supergraphSdl)!;
  const routeHandlers = [
    // The portal's server trades a fresh sign-in's ID token for a session cookie here.
    sessionRoutes({ projectId: options.firebaseProjectId, verifyToken: tenant.checkingSessionTenant(verifyToken) }),
    tenant.routes(authenticateRoute),
    attachmentRoutes({ authenticate: authenticateRoute, identitySecret: options.identitySecret, messagingUrl }),
    // Invoice PDFs, kept by the customer subgraph beside the customer's other billing documents.
    attachmentRoutes({ authenticate: authenticateRoute, identitySecret: options.identitySecret, messagingUrl, prefix: '/billing-files', fileServiceUrl: customerUrl }),
    // Routes whose authority is in the request itself: the one-click unsubscribe of notification
    // emails (a signed token), Twilio's SMS webhooks (its signature), and customers' replies by email
    // (the mail provider's shared secret), which messaging refuses and records itself when too large.
    publicRoutes([
      { path: '/unsubscribe', subgraphUrl: customerUrl, maxBodyBytes: 4096 },
      { path: '/inbound/sms*', subgraphUrl: customerUrl, maxBodyBytes: 64 * 1024 },
      ...['/inbound/email', '/inbound/email/mime'].map((path) => ({ path, subgraphUrl: messagingUrl, maxBodyBytes: MAX_INBOUND_EMAIL_BYTES, serviceAnswersOversize: true })),
    ]),
  ];

  // One pool of kept-alive connections for every subgraph call.
  const subgraphFetch = subgraphFetcher();
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => signingDataSource((overrides[name] ?? url)!, options.identitySecret, subgraphFetch),
  });

  const rateLimits = options.rateLimits ?? {};
  const limiter = await createRateLimiter(options.eventLog, rateLimits, log);
  const httpServer = createServer();
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    csrfPrevention: true,
    introspection: options.introspection ?? introspectionFromEnv(),
    includeStacktraceInErrorResponses: false,
    validationRules: queryLimitRules(options.limits ?? DEFAULT_LIMITS),
    parseOptions: { maxTokens: 5_000 },
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginLandingPageDisabled(), operationResolutionPlugin(), errorMaskingPlugin(log), subscriptionsOverHttpPlugin(), secondFactorPlugin(secondFactorOf), accountLinksPlugin((tenantId) => [verifyToken, liveVerifier].forEach((v) => v.forgetCustomers(tenantId))), rateLimitPlugin<GatewayContext>(limiter, rateLimits, log), ...inlineTracePlugins<GatewayContext>()],
    formatError: withoutTopology,
  });
  let catalogue: LiveCatalogue | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
    catalogue = liveCatalogue(apiSchema, coreSupergraphSdl);
    // A subscription field the gateway cannot answer is refused to every client: say so at load.
    for (const problem of catalogue.problems) log.error('subscription field not served', { problem });
  });
  await apollo.start().catch(async (err: unknown) => {
    await limiter.close();
    throw err;
  });
  const subscriptions = await startSubscriptions({
    httpServer,
    catalogue: () => catalogue,
    run: liveQueryRunner(apollo),
    // A revocation answer is reused for at most half the recheck period, so rechecks see fresh state.
    secondFactor: async (identity, marker) => {
      const state = await secondFactorOf(identity, marker);
      return !state?.required || state.satisfied;
    },
    verifySession: tenant.checkingSessionTenant(liveVerifier),
    eventLog: options.eventLog,
    live: options.live,
    limits: options.limits ?? DEFAULT_LIMITS,
    // A live-updates message is one subscribe: small.
    maxPayloadBytes: Math.min(options.maxBodyBytes ?? 100_000, 100_000),
    rateLimits: { limiter, options: rateLimits },
    logger: log,
  }).catch(async (err: unknown) => {
    await apollo.stop();
    await limiter.close();
    throw err;
  });

  httpServer.on(
    'request',
    graphqlHttpHandler(apollo, {
      cors: true,
      maxBodyBytes: options.maxBodyBytes ?? 1_000_000,
      routes: async (req, res, url) => {
        for (const handle of routeHandlers) if (await routeRequest.run(req, () => handle(req, res, url))) return true;
        return false;
      },
      context: async (req, requestId) => {
        // The portal's server calling for a visitor says whose call it is; nobody else can.
        const clientAddress = vouchedClientAddress(clientAddressSecret, req.headers) ?? clientAddressOf(req);
        const identity = actingAs(await authenticate(req.headers.authorization, clientAddress), req.headers[ACCOUNT_HEADER]);
        const token = req.headers[SECOND_FACTOR_HEADER];
        const secondFactor = await secondFactorOf(identity, typeof token === 'string' ? token : undefined);
        return { identity, requestId, clientAddress, userAgent: req.headers['user-agent'], secondFactor };
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
      await limiter.close();
      subgraphFetch.close();
    },
  };
}

export { LiveCloseCode, type LiveOptions } from './subscriptions.ts';
export { DEFAULT_RATE_LIMITS, rateLimitsFromEnv, type RateLimitOptions } from './rateLimits.ts';
