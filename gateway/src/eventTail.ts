import type { EventLog, Logger, StoredEvent } from '@wisp/shared';

/** Options for {@link startEventTail}. */
export interface EventTailOptions {
  /** Pause between two reads of the log when the last read found nothing more. @default 100 ms */
  pollIntervalMs?: number;
  /** Recent events kept in memory, so resuming subscribers rarely need the database. @default 10 000 */
  keepRecent?: number;
  /** Events read per round trip. @default 500 */
  batchSize?: number;
}

export interface EventTail {
  /** The newest `seq` handed to listeners: where a subscriber without a cursor starts. */
  readonly position: number;
  /**
   * The events after `seq` up to {@link position} from memory, or null when memory does not reach
   * back that far (then read the log). Synchronous: nothing is published while the caller looks.
   */
  recentAfter: (seq: number) => StoredEvent[] | null;
  /** Called with every event, once, in `seq` order. Returns an unsubscribe function. */
  listen: (listener: (event: StoredEvent) => void) => () => void;
  /** Called when the log dropped events this process had not read yet (the cap overtook it). */
  onGap: (listener: () => void) => void;
  stop: () => Promise<void>;
}

/**
 * The one reader of the event log in a gateway process: it polls the log in `seq` order and hands
 * each event to every listener in memory, so a thousand subscribers cost one query per poll.
 * Starts at the log's head: a subscriber who wants older events asks the log itself (resume).
 */
export async function startEventTail(log: EventLog, logger: Logger, options: EventTailOptions = {}): Promise<EventTail> {
  const pollMs = options.pollIntervalMs ?? 100;
  const batch = options.batchSize ?? 500;
  const keep = options.keepRecent ?? 10_000;
  let recent: StoredEvent[] = [];
  const listeners = new Set<(e: StoredEvent) => void>();
  const gapListeners: (() => void)[] = [];
  let position = await log.head();
  let stopped = false;
  let wake: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(t);
        wake = null;
        resolve();
      };
    });

  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      try {
        const { events, gap } = await log.readAfter(position, batch);
        failures = 0;
        if (gap) {
          recent = [];
          logger.error('event log overtook this gateway; live subscribers must resubscribe', { position });
          for (const l of gapListeners) l();
        }
        for (const event of events) {
          if (stopped) break;
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
        }
        if (events.length === batch) continue;
      } catch (err) {
        failures++;
        logger.warn('reading the event log failed; retrying', { error: (err as Error).message, failures });
        await sleep(Math.min(5_000, pollMs * 2 ** failures));
        continue;
      }
      await sleep(pollMs);
    }
  })();

  return {
    get position() {
      return position;
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
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
