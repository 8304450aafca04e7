import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { DocumentNode } from 'graphql';
import type { Connection } from 'mongoose';
import { unauthenticated } from './errors.ts';
import { checkAuthEmulatorMode } from './firebase.ts';
import { graphqlHttpHandler } from './http.ts';
import { AuditEntryResolvers, auditLogOn, auditPlugin, auditQueryResolver, type AuditLog, type AuditOptions } from './auditLog.ts';
import { assertUsableSecret, verifyIdentityHeaders, type Identity } from './identity.ts';
import { checkRootFieldScope } from './apiScopes.ts';
import { createLogger, type Logger } from './log.ts';
import { inlineTracePlugins } from './inlineTrace.ts';
import { errorMaskingPlugin } from './masking.ts';
import { connectMongo, ensureIndexes, mongoFor, type MongoOptions } from './mongo.ts';
import { verifyUserAgent } from './userAgent.ts';

/** What every resolver of every subgraph receives. */
export interface SubgraphContext<M, L = unknown, S = unknown> {
  /** The caller, as signed by the gateway; null for an anonymous (public) request. */
  identity: Identity | null;
  requestId: string;
  models: M;
  /** Per-request DataLoaders, so entity references and list fields batch into one query. */
  loaders: L;
  log: Logger;
  /** What the definition's `setup` returned (shared stores such as the event log); undefined without one. */
  services: S;
  /** The end client's address as the gateway signed it (for rate limits); null when not forwarded. */
  clientAddress?: string | null;
  /** The end client's user agent as the gateway signed it (for the audit trail); null when not forwarded. */
  userAgent?: string | null;
  /** This subgraph's own audit trail. */
  audit: AuditLog;
}

/** What a subgraph's optional `setup` hook adds: long-lived services, extra HTTP routes, and how to close them. */
export interface SubgraphSetup<S> {
  services: S;
  /** Extra HTTP routes served beside `/graphql`; they check identity themselves. */
  routes?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;
  stop?: () => Promise<void>;
}

/** One subgraph: its SDL, resolvers and models. The four subgraphs are each one of these. */
export interface SubgraphDefinition<M, L, S = unknown> {
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<SubgraphContext<M, L, S>>;
  models: (conn: Connection) => M;
  loaders: (models: M, identity: Identity | null, services: S) => L;
  /** Opens what the subgraph needs beyond its own database (event log, outbox, directories) and its extra HTTP routes. */
  setup?: (conn: Connection, options: SubgraphOptions, models: M, log: Logger) => Promise<SubgraphSetup<S>>;
  /** How its mutations are written to its audit trail. */
  audit: AuditOptions;
}

/** How to run a subgraph. */
export interface SubgraphOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** @default "127.0.0.1" */
  host?: string;
  mongo: MongoOptions;
  /** Shared with the gateway; identities not signed with it are refused. */
  identitySecret: string;
}

export interface RunningSubgraph<M> {
  url: string;
  port: number;
  models: M;
  conn: Connection;
  server: Server;
  stop: () => Promise<void>;
}

/**
 * No subgraph declares cache hints, so every answer is uncacheable: said once per response here,
 * instead of by Apollo Server's cache-control plugin, which computes a policy for every field it
 * resolves (thousands for a list of tickets) only to arrive at the same `no-store`.
 */
function uncacheablePlugins<C extends BaseContext>(): ApolloServerPlugin<C>[] {
  return [
    ApolloServerPluginCacheControlDisabled(),
    {
      async requestDidStart() {
        return {
          async willSendResponse({ response }) {
            response.http.headers.set('cache-control', 'no-store');
          },
        };
      },
    },
  ];
}

/** Adds the audit query field and the audit entry type's resolvers every subgraph serves alike. */
/**
 * Every root field refuses an integrator's key that lacks the scope the field needs
 * (ROOT_FIELD_SCOPES), before its own resolver runs.
 */
function withScopes(resolvers: Record<string, Record<string, unknown>>) {
  const out: Record<string, Record<string, unknown>> = { ...resolvers };
  for (const type of ['Query', 'Mutation'] as const) {
    const fields = resolvers[type];
    if (!fields) continue;
    out[type] = Object.fromEntries(
      Object.entries(fields).map(([name, resolve]) => [
        name,
        typeof resolve === 'function'
          ? (parent: unknown, args: unknown, ctx: { identity: Identity | null }, info: unknown) => {
              checkRootFieldScope(ctx.identity, `${type}.${name}`);
              return (resolve as (...a: unknown[]) => unknown)(parent, args, ctx, info);
            }
          : resolve,
      ]),
    );
  }
  return out;
}

function withAuditQuery(resolvers: Record<string, Record<string, unknown>>, audit: AuditOptions) {
  return {
    ...resolvers,
    Query: { ...resolvers.Query, [audit.queryField]: auditQueryResolver() },
    AuditEntry: AuditEntryResolvers,
  };
}

export async function startSubgraph<M, L, S = unknown>(def: SubgraphDefinition<M, L, S>, given: SubgraphOptions): Promise<RunningSubgraph<M>> {
  assertUsableSecret(given.identitySecret);
  // Every connection the subgraph opens, its own and its services', is checked against ownership.
  const options: SubgraphOptions = { ...given, mongo: mongoFor(def.name, given.mongo) };
  const log = createLogger(`subgraph-${def.name}`);
  checkAuthEmulatorMode(log);
  const conn = await connectMongo(def.name, options.mongo);
  const models = def.models(conn);
  await ensureIndexes(conn);
  const audit = auditLogOn(conn, log);
  const extra = def.setup ? await def.setup(conn, options, models, log).catch(async (err: unknown) => {
    await conn.close();
    throw err;
  }) : undefined;

  const httpServer = createServer();
  // The gateway keeps connections alive and reuses idle ones; the side that closes an idle one
  // must be the gateway, or a request sent just as the subgraph closes it fails ("socket hang up").
  httpServer.keepAliveTimeout = 65_000;
  httpServer.headersTimeout = 66_000;
  const apollo = new ApolloServer<SubgraphContext<M, L, S>>({
    schema: buildSubgraphSchema([{ typeDefs: def.typeDefs, resolvers: withScopes(withAuditQuery(def.resolvers as Record<string, Record<string, unknown>>, def.audit)) as never }]),
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), errorMaskingPlugin(log), auditPlugin(def.audit), ...uncacheablePlugins<SubgraphContext<M, L, S>>(), ...inlineTracePlugins<SubgraphContext<M, L, S>>()],
  });
  await apollo.start();
  httpServer.on(
    'request',
    graphqlHttpHandler(apollo, {
      health: async () => {
        await conn.db!.admin().ping();
      },
      ...(extra?.routes ? { routes: extra.routes } : {}),
      context: async (req, requestId, body) => {
        const check = verifyIdentityHeaders(req.headers, options.identitySecret, { method: req.method ?? 'GET', path: req.url ?? '/', body });
        if (!check.ok) {
          log.warn('refused request without a valid gateway signature', { requestId, reason: check.reason });
          throw unauthenticated('This service only answers requests signed by the gateway.');
        }
        const clientAddress = check.clientAddress;
        const userAgent = verifyUserAgent(req.headers, options.identitySecret);
        const services = extra?.services as S;
        return { identity: check.identity, requestId, models, loaders: def.loaders(models, check.identity, services), log, services, clientAddress, userAgent, audit };
      },
    }),
  );
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  log.info('listening', { port });
  return {
    url: `http://${host}:${port}/graphql`,
    port,
    models,
    conn,
    server: httpServer,
    stop: async () => {
      await apollo.stop();
      await extra?.stop?.();
      await conn.close();
    },
  };
}
