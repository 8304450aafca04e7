import type { Logger } from '@wisp/shared';
import type { EventLog, StoredEvent } from '@wisp/events';

/** Options for {@link startEventTail}. */
export interface EventTailOptions {
  /** Pause between two reads of the log when the last read found nothing more. @default 100 ms */
  pollIntervalMs?: number;
  /** Recent events kept in memory, so resuming subscribers rarely need the database. @default 10 000 */
  keepRecent?: number;
  /** Events read per round trip. @default 500 */
  batchSize?: number;
  /**
   * How long the tail keeps polling after its last subscriber left (a reconnecting client finds it
   * warm, with recent events in memory); after that it stops reading until someone subscribes.
   * @default 30 000 ms
   */
  idleAfterMs?: number;
}

export interface EventTail {
  /** The newest `seq` handed to listeners: where a subscriber without a cursor starts. Fresh only after {@link activate}. */
  readonly position: number;
  /**
   * The events after `seq` up to {@link position} from memory, or null when memory does not reach
   * back that far (then read the log). Synchronous: nothing is published while the caller looks.
   */
  recentAfter: (seq: number) => StoredEvent[] | null;
  /** Called with every event, once, in `seq` order. Returns an unsubscribe function. */
  listen: (listener: (event: StoredEvent) => void) => () => void;
  /** Called when the log dropped events this process had not read yet (trimming overtook it). */
  onGap: (listener: () => void) => void;
  /**
   * Says whether anyone needs live events now; the tail polls only while this is true (and for
   * `idleAfterMs` after). @default () => false
   */
  demandFrom: (hasDemand: () => boolean) => void;
  /** Resolves once the tail is polling and {@link position} is current: call before starting a subscriber. */
  activate: () => Promise<void>;
  /** True while the tail is asleep for want of subscribers (an idle gateway sends no queries). */
  readonly idle: boolean;
  stop: () => Promise<void>;
}

/**
 * The one reader of the event log in a gateway process: while anyone subscribes, it polls the log
 * in `seq` order with an indexed range query and hands each event to every listener in memory, so
 * a thousand subscribers cost one query per poll. With nobody subscribed it sleeps and costs
 * nothing; the next subscriber wakes it, and it catches up from where it stopped (or from the
 * head, when it slept through more than it keeps in memory) before that subscriber starts.
 */
export async function startEventTail(log: EventLog, logger: Logger, options: EventTailOptions = {}): Promise<EventTail> {
  const pollMs = options.pollIntervalMs ?? 100;
  const batch = options.batchSize ?? 500;
  const keep = options.keepRecent ?? 10_000;
  const idleAfter = options.idleAfterMs ?? 30_000;
  let recent: StoredEvent[] = [];
  const listeners = new Set<(e: StoredEvent) => void>();
  const gapListeners: (() => void)[] = [];
  let hasDemand: () => boolean = () => false;
  let position = await log.head();
  let stopped = false;
  let idle = false;
  let lastDemandAt = Date.now();
  // Subscribers waiting for the tail to be current.
  let activations: (() => void)[] = [];
  let wake: (() => void) | null = null;
  const sleep = (ms: number | null) =>
    new Promise<void>((resolve) => {
      const t = ms === null ? null : setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        if (t) clearTimeout(t);
        wake = null;
        resolve();
      };
    });

  const publish = (event: StoredEvent) => {
    position = event.seq;
    recent.push(event);
    if (recent.length > keep * 1.25) recent = recent.slice(-keep);
    for (const l of listeners) {
      try {
        l(event);
      } catch (err) {
        logger.error('live listener failed', { error: String(err), seq: event.seq });
      }
    }
  };

  const loop = (async () => {
    let failures = 0;
    /** Polls in a row that found nothing: most are a point lookup instead of a range read. */
    let quiet = 0;
    while (!stopped) {
      if (hasDemand() || activations.length) lastDemandAt = Date.now();
      else if (Date.now() - lastDemandAt >= idleAfter) {
        idle = true;
        await sleep(null);
        idle = false;
        lastDemandAt = Date.now();
        if (stopped) break;
        try {
          // Slept through more than memory holds: nobody was listening, so start from the head.
          const head = await log.head();
          if (head - position > keep) {
            position = head;
            recent = [];
          }
        } catch {
          /* the read below reports it */
        }
      }
      try {
        // Nothing new since the last poll is answered by one point lookup on the unique seq index
        // (a range read scans on servers without range indexes); every 16th poll reads in full,
        // which also notices being trimmed past.
        if (quiet > 0 && quiet % 16 !== 0 && !activations.length && !(await log.hasAfter(position))) {
          quiet++;
          await sleep(pollMs);
          continue;
        }
        const { events, gap } = await log.readAfter(position, batch);
        failures = 0;
        quiet = events.length ? 0 : quiet + 1;
        if (gap) {
          recent = [];
          logger.error('the event log was trimmed past this gateway; live subscribers must resubscribe', { position });
          for (const l of gapListeners) l();
        }
        for (const event of events) {
          if (stopped) break;
          publish(event);
        }
        if (events.length === batch) continue;
        // Caught up: whoever waited for a current position can start now.
        const ready = activations;
        activations = [];
        for (const r of ready) r();
      } catch (err) {
        failures++;
        logger.warn('reading the event log failed; retrying', { error: (err as Error).message, failures });
        await sleep(Math.min(5_000, pollMs * 2 ** failures));
        continue;
      }
      await sleep(pollMs);
    }
    for (const r of activations) r();
  })();

  return {
    get position() {
      return position;
    },
    get idle() {
      return idle;
    },
    recentAfter(seq) {
      if (seq >= position) return [];
      const first = recent[0]?.seq ?? position + 1;
      if (seq + 1 < first) return null;
      return recent.slice(seq + 1 - first);
    },
    listen(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    onGap(listener) {
      gapListeners.push(listener);
    },
    demandFrom(fn) {
      hasDemand = fn;
    },
    activate() {
      if (stopped) return Promise.resolve();
      lastDemandAt = Date.now();
      if (!idle) return Promise.resolve();
      const ready = new Promise<void>((r) => activations.push(r));
      wake?.();
      return ready;
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
