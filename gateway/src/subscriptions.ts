import type { Server } from 'node:http';
import { getOperationAST, GraphQLError, Kind, type FragmentDefinitionNode, type GraphQLSchema } from './graphql.ts';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { badInput, checkRootFieldScope, codedError, ErrorCode, type Identity, mongoFor, type Logger, type MongoOptions } from '@wisp/shared';
import { openEventLog, startEventLogTrimmer, type EventLog } from '@wisp/events';
import { startEventTail, type EventTail } from './eventTail.ts';
import { createLiveHub, type LiveHub } from './liveHub.ts';
import type { LiveCatalogue } from './liveCatalogue.ts';
import { prepareSubscription, type LiveSubscription, type RunQuery } from './liveQuery.ts';
import { DEFAULT_COST_RULES, operationCost } from './cost.ts';
import type { QueryLimits } from './limits.ts';
import { DEFAULT_RATE_LIMITS, refusal, type RateLimiter, type RateLimitOptions } from './rateLimits.ts';
import type { SessionFailure, SessionVerifier } from './sessionAuth.ts';
import { credentialOf, type CredentialKind } from './auth.ts';
import { actingAs } from './accounts.ts';

/**
 * Close codes of the live-updates socket (graphql-ws, `graphql-transport-ws`), beside the
 * protocol's own (4400 bad message, 4408 no connection_init in time, 4429 init sent twice, …).
 */
export const LiveCloseCode = {
  /** No token, or one that is not a valid Firebase ID token: sign in (or refresh the token) and reconnect. */
  Unauthenticated: 4401,
  /** The login was disabled or its tokens revoked while connected: the user must sign in again. */
  Revoked: 4403,
  /** The token's lifetime ended while connected: reconnect with a fresh token (and resume with `after`). */
  TokenExpired: 4419,
  /** The login has a second factor this connection did not show (send `secondFactor` in connection_init). */
  SecondFactorRequired: 4412,
  /** Firebase could not be reached to check the token: reconnect later (WebSocket's "try again later"). */
  TryAgainLater: 1013,
} as const;

const CLOSE_FOR: Record<SessionFailure, number> = {
  invalid: LiveCloseCode.Unauthenticated,
  revoked: LiveCloseCode.Revoked,
  expired: LiveCloseCode.TokenExpired,
  // WebSocket's "try again later": clients reconnect by themselves.
  unavailable: LiveCloseCode.TryAgainLater,
};

/** Live-update settings of the gateway. */
export interface LiveOptions {
  /** Pause between reads of the event log when nothing new came. @default 100 ms */
  pollIntervalMs?: number;
  /** How often an open connection's token is checked again for revocation. @default 60 000 ms */
  recheckMs?: number;
  /** Most subscriptions one connection may hold at once. @default 50 */
  maxSubscriptionsPerConnection?: number;
  /** Events a subscriber may have waiting before it is ended (it then resumes with its cursor). @default 5 000 */
  maxBacklog?: number;
}

/**
 * graphql-ws answers a refusal only when its errors come from its own graphql copy, the gateway's.
 * The shared package imports graphql by itself; wherever a bundler or test runner resolves that
 * import to graphql's ES module build, its errors are another copy's and are remade here.
 */
const ownCopy = (e: Pick<GraphQLError, 'message' | 'extensions'>): GraphQLError => (e instanceof GraphQLError ? e : new GraphQLError(e.message, { extensions: e.extensions }));

interface Session {
  identity: Identity;
  timers: NodeJS.Timeout[];
}

export interface Subscriptions {
  /** Subscribers currently attached in this process. */
  readonly subscribers: number;
  stop: () => Promise<void>;
}

/**
 * Serves GraphQL subscriptions (graphql-ws) on the gateway's own HTTP server and `/graphql` path.
 * The token travels in `connection_init` (`{ authorization: "Bearer <Firebase ID token>" }`, or
 * `"Session <session cookie>"` from the portal's server), is
 * checked again periodically and at its expiry, and each failure closes the socket with its own
 * code ({@link LiveCloseCode}). Without `eventLog`, every subscription is refused with a clear error.
 */
export async function startSubscriptions(opts: {
  httpServer: Server;
  /** The live fields of the schema served now; undefined until the gateway has loaded one. */
  catalogue: () => LiveCatalogue | undefined;
  run: RunQuery;
  verifySession: SessionVerifier;
  /** Whether the login has shown its second factor, given the `secondFactor` connection parameter. */
  secondFactor?: (identity: Identity, marker: string | undefined) => Promise<boolean>;
  eventLog?: MongoOptions;
  live?: LiveOptions;
  limits: QueryLimits;
  maxPayloadBytes: number;
  /** Each subscribe is charged its cost, like a query. */
  rateLimits?: { limiter: RateLimiter; options: RateLimitOptions };
  logger: Logger;
}): Promise<Subscriptions> {
  const { logger } = opts;
  const live = opts.live ?? {};
  const recheckMs = live.recheckMs ?? 60_000;
  const maxSubs = live.maxSubscriptionsPerConnection ?? 50;
  let log: EventLog | null = null;
  let tail: EventTail | null = null;
  let hub: LiveHub | null = null;
  let trimmer: { stop: () => Promise<void> } | null = null;
  if (opts.eventLog) {
    log = await openEventLog(mongoFor('gateway', opts.eventLog));
    tail = await startEventTail(log, logger, { pollIntervalMs: live.pollIntervalMs });
    hub = createLiveHub({ log, tail, run: opts.run, logger }, { maxBacklog: live.maxBacklog });
    const liveHub = hub;
    tail.demandFrom(() => liveHub.size > 0);
    // Every gateway trims; a trim removes only what is past the limits, so several never remove more.
    trimmer = startEventLogTrimmer(log, { onError: (err) => logger.warn('trimming the event log failed', { error: String(err) }) });
  }

  const sessions = new WeakMap<object, Session>();

  async function prepare(ctx: object & { subscriptions: Record<string, unknown> }, payload: { query?: unknown; operationName?: unknown; variables?: unknown }): Promise<{ schema: GraphQLSchema; sub: LiveSubscription } | GraphQLError[]> {
    const session = sessions.get(ctx);
    if (!session) return [codedError(ErrorCode.UNAUTHENTICATED, 'Sign in to subscribe.')];
    if (!hub || !log) return [codedError(ErrorCode.INTERNAL, 'Live updates are not available on this gateway (no event log is configured).')];
    if (Object.keys(ctx.subscriptions).length > maxSubs) {
      return [codedError(ErrorCode.RATE_LIMITED, `At most ${maxSubs} subscriptions per connection.`)];
    }
    const catalogue = opts.catalogue();
    if (!catalogue) return [codedError(ErrorCode.INTERNAL, 'The gateway is still starting; try again.')];
    try {
      const sub = await prepareSubscription({
        catalogue,
        query: payload.query,
        operationName: payload.operationName,
        variables: payload.variables,
        identity: session.identity,
        limits: opts.limits,
        run: opts.run,
      });
      if (Array.isArray(sub)) return sub;
      try {
        checkRootFieldScope(session.identity, `Subscription.${sub.field.name}`);
      } catch (err) {
        return [err as GraphQLError];
      }
      if (opts.rateLimits) {
        const operation = getOperationAST(sub.document, sub.operationName);
        const fragments: Record<string, FragmentDefinitionNode> = {};
        for (const d of sub.document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
        const cost = operation ? operationCost(catalogue.schema, operation, fragments, (payload.variables ?? {}) as Record<string, unknown>, { ...DEFAULT_COST_RULES, ...opts.rateLimits.options.cost }) : 1;
        const charge = await opts.rateLimits.limiter.charge(session.identity, undefined, cost);
        if (!charge.ok) return [refusal(charge, opts.rateLimits.options.windowSeconds ?? DEFAULT_RATE_LIMITS.windowSeconds)];
      }
      // An idle tail sleeps; it must be current before a subscriber takes its position.
      await tail!.activate();
      if (sub.after !== null && sub.after > tail!.position && sub.after > (await log.head())) {
        return [badInput('This cursor is ahead of the event log; subscribe without `after`.', 'after')];
      }
      return { schema: catalogue.schema, sub };
    } catch (err) {
      logger.error('preparing a subscription failed', { error: String(err) });
      return [codedError(ErrorCode.INTERNAL, 'Internal error.')];
    }
  }

  const wss = new WebSocketServer({ server: opts.httpServer, path: '/graphql', maxPayload: opts.maxPayloadBytes });
  const server = useServer<Record<string, unknown>, { socket: WebSocket }>(
    {
      async onConnect(ctx) {
        const params = ctx.connectionParams ?? {};
        const header = typeof params.authorization === 'string' ? params.authorization : typeof params.token === 'string' ? `Bearer ${params.token}` : '';
        // `Bearer <ID token or API key>`, or `Session <session cookie>`: the portal's server relays a
        // signed-in browser's session, checked exactly as over HTTP (user record, tenant, revocation).
        let credential: { kind: CredentialKind; token: string } | undefined;
        try {
          credential = credentialOf(header || undefined);
        } catch {
          credential = undefined;
        }
        const socket = ctx.extra.socket;
        if (!credential) {
          socket.close(LiveCloseCode.Unauthenticated, 'Send { authorization: "Bearer <ID token>" } in connection_init.');
          return false;
        }
        const { token, kind } = credential;
        const first = await opts.verifySession(token, null, kind);
        if (!first.ok) {
          socket.close(CLOSE_FOR[first.reason], first.message);
          return false;
        }
        // A customer login acts for the linked account the connection names (`account`), as over HTTP.
        const account = typeof params.account === 'string' ? params.account : undefined;
        const acting = (identity: Identity): Identity | null => {
          try {
            return actingAs(identity, account);
          } catch {
            return null;
          }
        };
        const identity = acting(first.identity);
        if (!identity) {
          socket.close(LiveCloseCode.Revoked, 'This account is not linked to your login.');
          return false;
        }
        const marker = typeof params.secondFactor === 'string' ? params.secondFactor : undefined;
        const shown = opts.secondFactor ? await opts.secondFactor(identity, marker).catch(() => false) : true;
        if (!shown) {
          socket.close(LiveCloseCode.SecondFactorRequired, 'Enter the code from your authenticator app, then reconnect with secondFactor in connection_init.');
          return false;
        }
        const session: Session = { identity, timers: [] };
        sessions.set(ctx, session);
        // The token stops being good at its expiry, or earlier if the login is revoked or disabled.
        const untilExpiry = Math.max(0, Math.min(first.expires - Date.now(), 2 ** 31 - 1));
        session.timers.push(setTimeout(() => socket.close(LiveCloseCode.TokenExpired, 'Your session expired; reconnect with a fresh token.'), untilExpiry));
        const every = Math.round(recheckMs * (0.75 + Math.random() * 0.5)); // spread, so sockets do not recheck in step
        session.timers.push(
          setInterval(() => {
            void opts.verifySession(token, null, kind).then((again) => {
              // A recheck that could not reach Firebase keeps the connection; the next one decides.
              if (!again.ok && again.reason !== 'unavailable') socket.close(CLOSE_FOR[again.reason], again.message);
              // Unlinked from the account meanwhile: the connection ends like a revoked login's.
              else if (again.ok && !acting(again.identity)) socket.close(LiveCloseCode.Revoked, 'This account is no longer linked to your login.');
            });
          }, every),
        );
        return true;
      },
      onClose(ctx) {
        for (const t of sessions.get(ctx)?.timers ?? []) clearTimeout(t);
        sessions.delete(ctx);
      },
      async onSubscribe(ctx, _id, payload) {
        const prepared = await prepare(ctx, payload);
        if (Array.isArray(prepared)) return prepared.map(ownCopy);
        return { schema: prepared.schema, document: prepared.sub.document, operationName: prepared.sub.operationName, variableValues: payload.variables ?? {}, contextValue: prepared.sub, rootValue: null };
      },
      subscribe: (args) => hub!.subscribe(args.contextValue as LiveSubscription),
    },
    wss,
  );

  return {
    get subscribers() {
      return hub?.size ?? 0;
    },
    async stop() {
      // Sockets close with 1001 (going away): clients reconnect, to this gateway or another, and resume.
      hub?.stop();
      await server.dispose();
      await tail?.stop();
      await trimmer?.stop();
      await log?.close();
    },
  };
}
