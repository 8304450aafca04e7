import type { Logger } from '@wisp/shared';
import { Schema, type Connection, type Model } from 'mongoose';
import type { EventType } from './catalogue.ts';
import type { EventLog, StoredEvent } from './eventLog.ts';

/** Options for {@link startConsumer}. */
export interface ConsumerOptions {
  /** Names the consumer's cursor: one cursor per name, kept across restarts. */
  name: string;
  /** The consumer's OWN database, where its cursor lives. */
  conn: Connection;
  log: EventLog;
  /** The event types it handles; others only move the cursor on. @default every type */
  types?: EventType[];
  /**
   * Handles one event. Delivery is at least once (a crash after handling and before the cursor
   * moves hands the event over again), so handlers must be idempotent. A handler that throws is
   * retried with backoff; the cursor never moves past an event that was not handled.
   */
  handle?: (event: StoredEvent) => Promise<void>;
  /**
   * Instead of `handle`: handles the wanted events of one read at once, oldest first (a consumer
   * that writes one document per event can write them in one round trip). The same rules apply:
   * at least once, so idempotent; a batch that throws is handed over again, whole.
   */
  handleBatch?: (events: StoredEvent[]) => Promise<void>;
  /**
   * Pause between reads when there was nothing new. @default 100 ms. While the log stays quiet the
   * pause grows to `idlePollMs`; the first new event brings it back.
   */
  pollMs?: number;
  /** The longest pause of a quiet log. @default 1 000 ms (never below `pollMs`) */
  idlePollMs?: number;
  /** Events read per round trip. @default 200 */
  batchSize?: number;
  logger: Logger;
}

export interface Consumer {
  /** The newest seq handled. */
  readonly position: number;
  /** Events in the log it has not handled yet (the lag), read from the log's head now. */
  lag: () => Promise<number>;
  /** Resolves once it has handled everything up to the log's head at the time of the call. */
  caughtUp: () => Promise<void>;
  stop: () => Promise<void>;
}

const cursorSchema = new Schema({ _id: { type: String, required: true }, seq: { type: Number, required: true }, at: Date }, { versionKey: false });

/**
 * A durable consumer of the event log: it reads in `seq` order from where its cursor stands,
 * hands each wanted event to `handle`, and moves its cursor on after each batch. A restart resumes
 * where it stopped. Several processes may run the same consumer: each handles every event
 * (handlers are idempotent), and the cursor only ever moves forward.
 */
export async function startConsumer(options: ConsumerOptions): Promise<Consumer> {
  const { log, logger, name } = options;
  if (!options.handle === !options.handleBatch) throw new Error(`Consumer ${name}: give it handle or handleBatch (one of them).`);
  const pollMs = options.pollMs ?? 100;
  const idlePollMs = Math.max(pollMs, options.idlePollMs ?? 1_000);
  const batch = options.batchSize ?? 200;
  const wanted = options.types ? new Set<string>(options.types) : null;
  const Cursor: Model<{ _id: string; seq: number; at?: Date }> =
    (options.conn.models.EventCursor as Model<{ _id: string; seq: number; at?: Date }>) ?? options.conn.model('EventCursor', cursorSchema, 'event_cursors');
  let position = (await Cursor.findById(name).lean())?.seq ?? 0;
  let stopped = false;
  let wake: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  let waiters: { seq: number; resolve: () => void }[] = [];
  const release = () => {
    const done = waiters.filter((w) => w.seq <= position);
    waiters = waiters.filter((w) => w.seq > position);
    for (const w of done) w.resolve();
  };
  const save = (seq: number) => Cursor.updateOne({ _id: name }, { $max: { seq }, $set: { at: new Date() } }, { upsert: true });

  const loop = (async () => {
    let failures = 0;
    /** Reads in a row that found nothing: the pause grows with them. */
    let quiet = 0;
    while (!stopped) {
      let read = 0;
      try {
        // A quiet log is asked "is the next event there?" by one point lookup, not by a range read
        // (a scan on servers without range indexes); every 16th time it reads in full anyway, which
        // also finds a cursor the log was trimmed past.
        if (quiet > 0 && quiet % 16 !== 0 && waiters.length === 0 && !(await log.hasAfter(position))) {
          quiet++;
          await sleep(Math.min(idlePollMs, pollMs * 2 ** Math.floor(quiet / 8)));
          continue;
        }
        const { events, gap } = await log.readAfter(position, batch);
        if (gap) logger.error('event consumer fell behind the log\'s retention; some events were never handled', { consumer: name, position });
        read = events.length;
        if (options.handleBatch) {
          const mine = events.filter((e) => !wanted || wanted.has(e.type));
          if (mine.length && !stopped) await options.handleBatch(mine);
          if (!stopped && events.length) position = events.at(-1)!.seq;
        } else {
          for (const event of events) {
            if (stopped) break;
            if (!wanted || wanted.has(event.type)) await options.handle!(event);
            position = event.seq;
          }
        }
        if (events.length) await save(position);
        failures = 0;
        release();
      } catch (err) {
        failures++;
        logger.warn('event consumer failed; retrying', { consumer: name, position, failures, error: String(err) });
        // The events after `position` are read again: at least once, in order.
        if (position > 0) await save(position).catch(() => undefined);
        await sleep(Math.min(30_000, 100 * 2 ** failures));
        continue;
      }
      quiet = read ? 0 : quiet + 1;
      if (read < batch) await sleep(read ? pollMs : Math.min(idlePollMs, pollMs * 2 ** Math.floor(quiet / 8)));
    }
    for (const w of waiters) w.resolve();
  })();

  return {
    get position() {
      return position;
    },
    lag: async () => Math.max(0, (await log.head()) - position),
    async caughtUp() {
      const head = await log.head();
      if (head <= position || stopped) return;
      const reached = new Promise<void>((resolve) => waiters.push({ seq: head, resolve }));
      // Someone is waiting: read now rather than at the end of the pause.
      wake?.();
      await reached;
    },
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
