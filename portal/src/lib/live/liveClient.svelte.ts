import { SECOND_FACTOR_HEADER, secondFactorHeader } from '$lib/portal/secondFactor';
import { accountParam } from '$lib/portal/actingAccount';
import { createClient, type Client } from 'graphql-ws';

/** How the portal's live connection is doing, for {@link LiveIndicator}. */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'signed-out';

/** The gateway's close codes for live connections (see gateway/src/subscriptions.ts). */
export const LIVE_CLOSE = {
  /** Missing or invalid token: fetch a fresh one and reconnect (once). */
  Unauthenticated: 4401,
  /** Login disabled or revoked: the user must sign in again. */
  Revoked: 4403,
  /** The token expired while connected: reconnect with a fresh token. */
  TokenExpired: 4419,
} as const;

/** A GraphQL error as the gateway sends it. */
export interface LiveError {
  message: string;
  extensions?: { code?: string; reason?: string };
}

/** What a page does with a subscription's results. */
export interface LiveHandlers<T> {
  /** Each delivery, in order; never the same change twice. */
  next: (data: T) => void;
  /**
   * The changes missed while offline are no longer kept (a very long absence): reload the page's
   * data. The subscription carries on from now.
   */
  onReset?: () => void;
  /** The gateway refused the subscription (e.g. NOT_FOUND for a ticket the user may not see). */
  error?: (errors: readonly LiveError[]) => void;
}

/** Options for {@link LiveClient}. */
export interface LiveClientOptions {
  /** The gateway's GraphQL URL (http/https); the socket uses the same path over ws/wss. */
  url: string;
  /** The signed-in user's ID token; `forceRefresh` after the gateway said it expired. */
  getIdToken: (forceRefresh: boolean) => Promise<string | null>;
}

const isClose = (e: unknown): e is { code: number } => typeof e === 'object' && e !== null && 'code' in e && typeof (e as { code: unknown }).code === 'number';

/**
 * The resume cursor of a delivery: every live payload carries `cursor` under its one root field,
 * including the `kind: "subscribed"` payload that opens each stream.
 */
function cursorOf(data: unknown): string | null {
  if (!data || typeof data !== 'object') return null;
  const root = Object.values(data as Record<string, unknown>)[0];
  const cursor = root && typeof root === 'object' ? (root as { cursor?: unknown }).cursor : undefined;
  return typeof cursor === 'string' ? cursor : null;
}

/**
 * One live connection to the gateway (graphql-ws) for the signed-in user. Sends the Firebase
 * token in `connection_init`, reconnects after drops and gateway restarts with backoff, and
 * resumes every subscription from the last cursor it delivered, so a page sees each change
 * exactly once. On an expired token it reconnects with a fresh one; on a revoked login it stops
 * and reports `signed-out`.
 */
export class LiveClient {
  /** Reactive: read it in a component (or use {@link LiveIndicator}). */
  status = $state<LiveStatus>('connecting');
  private readonly client: Client;
  private forceRefresh = false;
  private disposed = false;
  private everConnected = false;

  constructor(options: LiveClientOptions) {
    this.client = createClient({
      url: options.url.replace(/^http/, 'ws'),
      lazy: true,
      retryAttempts: Infinity,
      // Retry everything but a revoked login, which no reconnect can cure.
      shouldRetry: (e) => !(isClose(e) && e.code === LIVE_CLOSE.Revoked),
      retryWait: (attempt) => new Promise((r) => setTimeout(r, Math.min(15_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2))),
      connectionParams: async () => {
        const token = await options.getIdToken(this.forceRefresh);
        this.forceRefresh = false;
        const marker = secondFactorHeader()[SECOND_FACTOR_HEADER];
        return token ? { authorization: `Bearer ${token}`, ...(marker ? { secondFactor: marker } : {}), ...accountParam() } : {};
      },
      on: {
        connecting: () => {
          if (this.status !== 'signed-out') this.status = this.everConnected ? 'reconnecting' : 'connecting';
        },
        connected: () => {
          this.everConnected = true;
          this.status = 'live';
        },
        closed: (e) => {
          if (this.disposed) return;
          const code = isClose(e) ? e.code : 0;
          if (code === LIVE_CLOSE.TokenExpired || code === LIVE_CLOSE.Unauthenticated) this.forceRefresh = true;
          if (code === LIVE_CLOSE.Revoked) this.status = 'signed-out';
          else if (this.status === 'live') this.status = 'reconnecting';
        },
      },
    });
  }

  /**
   * Subscribes a page to one live field. The query must select `cursor` and `kind` on the root
   * field (how the connection resumes, and how the opening `subscribed` payload is recognised). Returns the function that ends the subscription: call it when
   * the page goes away (return it from `onMount`/`$effect`).
   */
  subscribe<T>(query: string, variables: Record<string, unknown>, handlers: LiveHandlers<T>): () => void {
    // graphql-ws sends this same object again after every reconnect: keeping `after` current in
    // it is what makes a reconnect resume instead of starting over.
    const payload = { query, variables: { ...variables } as Record<string, unknown> };
    let stop: (() => void) | null = null;
    let ended = false;
    let unauthenticatedRetries = 0;
    const start = () => {
      if (ended) return;
      stop = this.client.subscribe<T>(payload, {
        next: (result) => {
          const cursor = cursorOf(result.data);
          if (cursor) payload.variables.after = cursor;
          unauthenticatedRetries = 0;
          // The first payload of every (re)subscription only says where it starts.
          const root = result.data ? Object.values(result.data)[0] : null;
          if ((root as { kind?: unknown } | null)?.kind === 'subscribed') return;
          if (result.data) handlers.next(result.data as T);
        },
        error: (err) => {
          if (ended || this.disposed) return;
          if (isClose(err)) {
            // 4401 is final for graphql-ws; a fresh token usually cures it, so try once more.
            if (err.code === LIVE_CLOSE.Unauthenticated && unauthenticatedRetries++ < 1) {
              this.forceRefresh = true;
              setTimeout(start, 500);
              return;
            }
            this.status = 'signed-out';
            return;
          }
          const errors = (Array.isArray(err) ? err : [err]) as LiveError[];
          if (errors.some((e) => e.extensions?.reason === 'CURSOR_EXPIRED')) {
            delete payload.variables.after;
            handlers.onReset?.();
            start();
            return;
          }
          // The gateway ended the stream (fell behind, or failed): pick up from the last cursor.
          if (errors.some((e) => e.extensions?.code === 'RATE_LIMITED' || e.extensions?.code === 'INTERNAL')) {
            setTimeout(start, 2_000 + Math.random() * 3_000);
            return;
          }
          handlers.error?.(errors);
        },
        complete: () => undefined,
      });
    };
    start();
    return () => {
      ended = true;
      stop?.();
    };
  }

  /** Closes the connection (sign-out, or the user changed). */
  dispose(): void {
    this.disposed = true;
    void this.client.dispose();
  }
}

let shared: { uid: string; client: LiveClient } | null = null;

/**
 * The tab's live connection for `user`: pages share one socket. A different user (or none) gets
 * a fresh connection and the old one is closed.
 */
export function liveClientFor(user: { uid: string; getIdToken: (forceRefresh?: boolean) => Promise<string> } | null, url: string): LiveClient | null {
  if (shared && shared.uid !== user?.uid) {
    shared.client.dispose();
    shared = null;
  }
  if (!user) return null;
  if (!shared) shared = { uid: user.uid, client: new LiveClient({ url, getIdToken: (force) => user.getIdToken(force) }) };
  return shared.client;
}
