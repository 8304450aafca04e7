import { randomUUID } from 'node:crypto';
import type { ExecutionResult, GraphQLError } from './graphql.ts';
import { codedError, ErrorCode, type Logger } from '@wisp/shared';
import { type EventLog, type StoredEvent } from '@wisp/events';
import type { EventTail } from './eventTail.ts';
import { TransientError, type LiveSubscription, type RunQuery } from './liveQuery.ts';

/** Options for {@link createLiveHub}. */
export interface LiveHubOptions {
  /** Events a subscriber may have waiting before it is ended (it then resumes with its cursor). @default 5 000 */
  maxBacklog?: number;
  /** Queries to the graph in flight at once, across all subscribers. @default 32 */
  maxConcurrentQueries?: number;
}

const cursorExpired = () =>
  codedError(ErrorCode.BAD_USER_INPUT, 'Events after this cursor are no longer kept; reload and subscribe without `after`.', { reason: 'CURSOR_EXPIRED', field: 'after' });

/**
 * Fans the gateway's one event stream out to its subscribers. Each subscriber sees events in
 * `seq` order and gets a payload only when the graph, asked as that subscriber, answers with one.
 * Subscribers asking the same thing as the same identity share one query per event.
 */
export function createLiveHub(deps: { log: EventLog; tail: EventTail; run: RunQuery; logger: Logger }, options: LiveHubOptions = {}) {
  const maxBacklog = options.maxBacklog ?? 5_000;
  const maxQueries = options.maxConcurrentQueries ?? 32;
  const subscribers = new Set<Subscriber>();

  // A small semaphore, so a burst of events cannot flood the subgraphs.
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const limitedRun: RunQuery = async (query, variables, identity) => {
    if (inFlight >= maxQueries) await new Promise<void>((r) => waiting.push(r));
    inFlight++;
    try {
      return await deps.run(query, variables, identity);
    } finally {
      inFlight--;
      waiting.shift()?.();
    }
  };

  // Per event, the answers already computed, by subscription key (identity + document).
  const answers = new Map<number, Map<string, Promise<ExecutionResult | null>>>();
  function answer(sub: LiveSubscription, event: StoredEvent): Promise<ExecutionResult | null> {
    let perEvent = answers.get(event.seq);
    if (!perEvent) {
      perEvent = new Map();
      answers.set(event.seq, perEvent);
      if (answers.size > 256) answers.delete(answers.keys().next().value!);
    }
    const key = sub.key;
    let p = perEvent.get(key);
    if (!p) {
      p = sub.resolve(event, limitedRun);
      const map = perEvent;
      perEvent.set(key, p);
      p.catch(() => map.delete(key));
    }
    return p;
  }

  class Subscriber implements AsyncGenerator<ExecutionResult, undefined, unknown> {
    private pending: StoredEvent[] = [];
    private ready: ExecutionResult[] = [];
    private failure: GraphQLError | null = null;
    private closed = false;
    private pumping = false;
    private wake: (() => void) | null = null;
    /** The newest seq this subscriber has examined (delivered or filtered out). */
    private scanned: number;
    /** While resuming: live events held back until the log has been read up to them. */
    private held: StoredEvent[] | null = null;

    constructor(readonly sub: LiveSubscription) {
      this.scanned = sub.after ?? deps.tail.position;
      // The client learns at once where its stream starts: a resume point even before any change.
      const start = this.scanned;
      this.pending.push({ seq: start, subscribedMarker: true } as unknown as StoredEvent);
      if (sub.after !== null) {
        this.held = [];
        void this.catchUp();
      }
      void this.pump();
    }

    offer(event: StoredEvent) {
      if (this.closed) return;
      if (this.held) {
        this.held.push(event);
        return;
      }
      if (event.seq <= this.scanned) return;
      this.scanned = event.seq;
      if (!this.sub.accepts(event)) return;
      this.pending.push(event);
      if (this.pending.length + this.ready.length > maxBacklog) {
        this.fail(codedError(ErrorCode.RATE_LIMITED, 'This subscription fell too far behind; resubscribe with your last cursor.'));
        return;
      }
      void this.pump();
    }

    /** Reads the missed events from the log, then hands over to live events without a seam. */
    private async catchUp() {
      // Most resumes are recent (a reconnect, a restarted neighbour gateway): memory has them all,
      // and reading it synchronously leaves no seam with live delivery.
      const fromMemory = deps.tail.recentAfter(this.scanned);
      if (fromMemory) {
        for (const e of fromMemory) {
          this.scanned = e.seq;
          if (this.sub.accepts(e)) this.pending.push(e);
        }
        this.held = null;
        void this.pump();
        return;
      }
      try {
        for (;;) {
          const { events, gap } = await deps.log.readAfter(this.scanned, 500);
          if (this.closed) return;
          if (gap) throw cursorExpired();
          for (const e of events) {
            this.scanned = e.seq;
            if (this.sub.accepts(e)) this.pending.push(e);
          }
          void this.pump();
          if (events.length === 500) continue;
          const later = this.held!.filter((e) => e.seq > this.scanned);
          // A held event that does not directly follow means the log has more to read first.
          if (later.length && later[0]!.seq !== this.scanned + 1) {
            this.held = later;
            continue;
          }
          this.held = null;
          for (const e of later) this.offer(e);
          return;
        }
      } catch (err) {
        this.fail(err);
      }
    }

    private async pump() {
      if (this.pumping) return;
      this.pumping = true;
      try {
        while (this.pending.length && !this.closed) {
          const event = this.pending[0]!;
          let result: ExecutionResult | null = null;
          if ((event as { subscribedMarker?: boolean }).subscribedMarker) {
            this.pending.shift();
            this.ready.push(await this.sub.subscribed(event.seq));
            this.wake?.();
            continue;
          }
          for (let attempt = 1; ; attempt++) {
            try {
              result = await answer(this.sub, event);
              break;
            } catch (err) {
              if (!(err instanceof TransientError) || attempt >= 5) throw err;
              await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
              if (this.closed) return;
            }
          }
          this.pending.shift();
          if (result) {
            this.ready.push(result);
            this.wake?.();
          }
        }
      } catch (err) {
        this.fail(err);
      } finally {
        this.pumping = false;
      }
    }

    fail(err: unknown) {
      if (this.closed || this.failure) return;
      if (err && typeof err === 'object' && 'extensions' in err && (err as GraphQLError).extensions?.code && !(err instanceof TransientError)) {
        this.failure = err as GraphQLError;
      } else {
        const requestId = randomUUID();
        deps.logger.error('live subscription failed', { requestId, error: String(err), field: this.sub.field.name });
        this.failure = codedError(ErrorCode.INTERNAL, 'Live updates failed; resubscribe with your last cursor.', { requestId });
      }
      this.wake?.();
    }

    async next(): Promise<IteratorResult<ExecutionResult, undefined>> {
      for (;;) {
        const value = this.ready.shift();
        if (value) return { done: false, value };
        if (this.failure) {
          const f = this.failure;
          this.end();
          throw f;
        }
        if (this.closed) return { done: true, value: undefined };
        await new Promise<void>((r) => (this.wake = r));
        this.wake = null;
      }
    }

    private end() {
      this.closed = true;
      subscribers.delete(this);
      this.pending = [];
      this.held = null;
    }

    async return(): Promise<IteratorResult<ExecutionResult, undefined>> {
      this.end();
      this.wake?.();
      return { done: true, value: undefined };
    }

    async throw(err: unknown): Promise<IteratorResult<ExecutionResult, undefined>> {
      this.end();
      throw err;
    }

    [Symbol.asyncIterator]() {
      return this;
    }
  }

  const unlisten = deps.tail.listen((event) => {
    for (const s of subscribers) s.offer(event);
  });
  deps.tail.onGap(() => {
    for (const s of subscribers) s.fail(cursorExpired());
  });

  return {
    subscribe(sub: LiveSubscription): AsyncGenerator<ExecutionResult, undefined, unknown> {
      const s = new Subscriber(sub);
      subscribers.add(s);
      return s;
    },
    get size() {
      return subscribers.size;
    },
    stop() {
      unlisten();
      for (const s of [...subscribers]) void s.return();
    },
  };
}
export type LiveHub = ReturnType<typeof createLiveHub>;
