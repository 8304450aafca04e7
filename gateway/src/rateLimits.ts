import type { ApolloServerPlugin } from '@apollo/server';
import { connectMongo, dbName, ensureIndexes, type Identity, type Logger, mongoFor, type MongoOptions } from '@wisp/shared';
import { Schema, type Connection } from 'mongoose';
import { RateLimiterMemory, RateLimiterMongo, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { DEFAULT_COST_RULES, operationCost, type CostRules } from './cost.ts';
import { GraphQLError, Kind, type FragmentDefinitionNode } from './graphql.ts';

/** Query-cost budgets (see cost.ts for how an operation is counted). */
export interface RateLimitOptions {
  /** Points an integrator's API key may spend per window. @default 100 000 */
  perKey?: number;
  /** Points a signed-in person (customer or staff) may spend per window. @default 100 000 */
  perLogin?: number;
  /** Points anonymous requests from one client address may spend per window. @default 20 000 */
  perAddress?: number;
  /** The window, in seconds; a budget is whole again when its window ends. @default 60 */
  windowSeconds?: number;
  /** Most one operation may cost, whatever is left of the budget. @default 50 000 */
  maxOperationCost?: number;
  cost?: Partial<CostRules>;
}

export const DEFAULT_RATE_LIMITS: Required<Omit<RateLimitOptions, 'cost'>> = {
  // A point is about one object returned: a staff queue of 100 tickets with their timelines is
  // some 25,000; a person reading pages stays far below the budget, a runaway script does not.
  perKey: 100_000,
  perLogin: 100_000,
  perAddress: 20_000,
  windowSeconds: 60,
  maxOperationCost: 50_000,
};

/** RATE_LIMIT_PER_KEY, RATE_LIMIT_PER_LOGIN, RATE_LIMIT_PER_ADDRESS, RATE_LIMIT_WINDOW_SECONDS, RATE_LIMIT_MAX_OPERATION_COST. */
export function rateLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): RateLimitOptions {
  const num = (name: string) => {
    const v = Number(env[name]);
    return env[name] && Number.isInteger(v) && v > 0 ? v : undefined;
  };
  return {
    perKey: num('RATE_LIMIT_PER_KEY'),
    perLogin: num('RATE_LIMIT_PER_LOGIN'),
    perAddress: num('RATE_LIMIT_PER_ADDRESS'),
    windowSeconds: num('RATE_LIMIT_WINDOW_SECONDS'),
    maxOperationCost: num('RATE_LIMIT_MAX_OPERATION_COST'),
  };
}

/** What is left of a caller's budget after a request. */
export interface Budget {
  /** What this operation cost. */
  requested: number;
  limit: number;
  remaining: number;
  /** Seconds until the budget is whole again. */
  resetSeconds: number;
}

export type Charge = { ok: true; budget: Budget } | { ok: false; reason: 'budget' | 'too-costly'; budget: Budget; retryAfterSeconds: number };

export interface RateLimiter {
  /** Takes `cost` points from the caller's budget, or refuses (taking nothing) when they are not there. */
  charge(identity: Identity | null, clientAddress: string | undefined, cost: number): Promise<Charge>;
  close(): Promise<void>;
}

/** One caller's spending in one window, as rate-limiter-flexible's MongoDB store keeps it. */
const budgetSchema = new Schema({ key: { type: String, required: true }, points: Number, expire: Date }, { versionKey: false });
budgetSchema.index({ key: 1 }, { unique: true });
// Spent windows are removed by MongoDB's TTL monitor; the store ignores one until then.
budgetSchema.index({ expire: -1 }, { expireAfterSeconds: 0 });

/**
 * Budgets kept in the gateway's own database, so every gateway process draws on the same ones
 * (rate-limiter-flexible's MongoDB store: one document per caller and window, changed by atomic
 * upserts). Without a database (a gateway run without MONGODB_URI) each process keeps its own.
 */
export async function createRateLimiter(mongo: MongoOptions | undefined, options: RateLimitOptions, logger: Logger): Promise<RateLimiter> {
  const o = { ...DEFAULT_RATE_LIMITS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof DEFAULT_RATE_LIMITS;
  let conn: Connection | null = null;
  const make = (keyPrefix: string, points: number): RateLimiterAbstract => {
    const common = { keyPrefix, points, duration: o.windowSeconds };
    if (!conn) return new RateLimiterMemory(common);
    // The indexes are declared on the model above (and made by it), not by the store.
    return new RateLimiterMongo({ ...common, storeClient: conn.getClient(), dbName: dbName('gateway', mongo!.dbPrefix), tableName: 'rate_limits', disableIndexesCreation: true });
  };
  if (mongo) {
    conn = await connectMongo('gateway', mongoFor('gateway', mongo));
    conn.model('RateLimitBudget', budgetSchema, 'rate_limits');
    await ensureIndexes(conn);
  } else {
    logger.warn('rate limits are kept per gateway process: no database is configured');
  }
  const buckets = { key: make('key', o.perKey), login: make('login', o.perLogin), address: make('address', o.perAddress) };

  const bucketOf = (identity: Identity | null, clientAddress: string | undefined): { limiter: RateLimiterAbstract; key: string; limit: number } => {
    if (identity?.role === 'INTEGRATOR') return { limiter: buckets.key, key: identity.uid, limit: o.perKey };
    if (identity) return { limiter: buckets.login, key: `${identity.tenantId ?? 'platform'}:${identity.uid}`, limit: o.perLogin };
    return { limiter: buckets.address, key: clientAddress ?? 'unknown', limit: o.perAddress };
  };
  const budgetOf = (res: RateLimiterRes, limit: number, requested: number): Budget => ({
    requested,
    limit,
    remaining: Math.max(0, limit - res.consumedPoints),
    resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
  });

  return {
    async charge(identity, clientAddress, cost) {
      const { limiter, key, limit } = bucketOf(identity, clientAddress);
      if (cost > o.maxOperationCost || cost > limit) {
        const now = (await limiter.get(key)) ?? new RateLimiterRes(limit, o.windowSeconds * 1000, 0);
        return { ok: false, reason: 'too-costly', budget: budgetOf(now, limit, cost), retryAfterSeconds: 0 };
      }
      try {
        const res = await limiter.consume(key, cost);
        return { ok: true, budget: budgetOf(res, limit, cost) };
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        // A refused request spends nothing: give back what the attempt took.
        const back = await limiter.reward(key, cost).catch(() => err);
        const budget = budgetOf(back, limit, cost);
        return { ok: false, reason: 'budget', budget, retryAfterSeconds: budget.resetSeconds };
      }
    },
    async close() {
      await conn?.close();
    },
  };
}

/** IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) for a budget. */
export function rateLimitHeaders(budget: Budget, windowSeconds: number): [string, string][] {
  return [
    ['ratelimit-limit', String(budget.limit)],
    ['ratelimit-remaining', String(budget.remaining)],
    ['ratelimit-reset', String(budget.resetSeconds)],
    ['ratelimit-policy', `${budget.limit};w=${windowSeconds}`],
  ];
}

/** The error for a refused charge: RATE_LIMITED with Retry-After, or BAD_USER_INPUT for an operation too costly ever to run. */
export function refusal(charge: Extract<Charge, { ok: false }>, windowSeconds: number): GraphQLError {
  const { budget } = charge;
  const headers = new Map(rateLimitHeaders(budget, windowSeconds));
  if (charge.reason === 'too-costly') {
    return new GraphQLError(`This operation could cost ${budget.requested} points, more than one operation may (${Math.min(budget.limit, budget.requested - 1)}); ask for fewer items (first).`, {
      extensions: { code: 'BAD_USER_INPUT', cost: budget, http: { status: 400, headers } },
    });
  }
  headers.set('retry-after', String(charge.retryAfterSeconds));
  return new GraphQLError(`Rate limit reached: this operation costs ${budget.requested} points and ${budget.remaining} of ${budget.limit} are left; try again in ${charge.retryAfterSeconds} s.`, {
    extensions: { code: 'RATE_LIMITED', cost: budget, retryAfterSeconds: charge.retryAfterSeconds, http: { status: 429, headers } },
  });
}

/**
 * Counts each operation's cost once it is parsed and validated, and refuses it before execution
 * when the caller's budget cannot pay; answers carry `extensions.cost` and RateLimit headers.
 */
export function rateLimitPlugin<C extends { identity: Identity | null; clientAddress?: string }>(limiter: RateLimiter, options: RateLimitOptions, logger: Logger): ApolloServerPlugin<C> {
  const rules = { ...DEFAULT_COST_RULES, ...options.cost };
  const windowSeconds = options.windowSeconds ?? DEFAULT_RATE_LIMITS.windowSeconds;
  return {
    async requestDidStart() {
      let budget: Budget | null = null;
      return {
        async didResolveOperation({ operation, document, schema, request, contextValue }) {
          if (!operation) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
          const cost = operationCost(schema, operation, fragments, request.variables ?? {}, rules);
          const charge = await limiter.charge(contextValue.identity, contextValue.clientAddress, cost);
          if (!charge.ok) {
            logger.warn('request refused by its rate limit', { reason: charge.reason, cost, role: contextValue.identity?.role ?? 'ANONYMOUS', remaining: charge.budget.remaining });
            throw refusal(charge, windowSeconds);
          }
          budget = charge.budget;
        },
        async willSendResponse({ response }) {
          if (!budget) return;
          for (const [name, value] of rateLimitHeaders(budget, windowSeconds)) response.http.headers.set(name, value);
          if (response.body.kind === 'single') {
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, cost: budget };
          }
        },
      };
    },
  };
}
