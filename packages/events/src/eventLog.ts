import { connectMongo, isDuplicateKey, type MongoOptions } from '@wisp/shared';
import { Schema, type Connection, type Model } from 'mongoose';
import type { EventEntity, EventType, Owner } from './catalogue.ts';

/**
 * The change feed of every subgraph: every change appends one event, in
 * one global order (`seq`), to an ordinary collection. Readers (the gateway's live updates) read
 * it with an indexed range query in `seq` order, so a reader that remembers the last `seq` it saw
 * resumes without loss.
 *
 * Order without transactions: `seq` has a unique index and a writer takes "highest + 1",
 * retrying on a duplicate key. A writer can only take n + 1 once event n is visible, so readers
 * never see a later event before an earlier one, and `seq` has no gaps. Retention (count and age,
 * see {@link EVENT_LOG_LIMITS}) is enforced by {@link EventLog.trim}, which only ever removes the
 * oldest events; a reader resuming from a cursor older than the oldest kept event is told so
 * (`gap`) instead of silently missing events.
 */

/** One event as appended: the catalogue's facts (type, payload) plus what readers route by. */
export interface ChangeEvent {
  /** Unique per event: appending the same event again (a retried relay) stores it once. */
  id: string;
  type: EventType;
  version: number;
  owner: Owner;
  tenantId: string;
  entity: EventEntity;
  entityId: string;
  /** What live-update clients are told happened, e.g. "created", "status_changed", "message_added". */
  kind: string;
  /** The work order the change belongs to (itself for WorkOrder events), if any. */
  workOrderId?: string | null;
  /** Customers the change concerns (reporter and affected customers): a cheap first filter. */
  customerIds: string[];
  /** True for changes staff alone may see (internal notes). */
  internal: boolean;
  /** True for outage work orders (service notices). */
  outage?: boolean;
  /** The catalogue payload of `type` (see EVENT_CATALOGUE). */
  payload: Record<string, unknown>;
  /**
   * The entity's published state (ENTITY_STATE) when the event was relayed; absent for entities
   * that have none (messages, call-backs) and for removed entities.
   */
  state?: Record<string, unknown> | null;
}

export interface StoredEvent extends ChangeEvent {
  seq: number;
  at: Date;
}

/** How much of the log is kept: events older than `maxAgeMs` or beyond the newest `maxEvents` go. @default 200 000 events, 7 days */
export const EVENT_LOG_LIMITS = { maxEvents: 200_000, maxAgeMs: 7 * 24 * 3600_000 };

const eventSchema = new Schema(
  {
    seq: { type: Number, required: true },
    id: { type: String, required: true },
    type: { type: String, required: true },
    version: { type: Number, required: true },
    owner: { type: String, required: true },
    tenantId: { type: String, required: true },
    entity: { type: String, required: true },
    entityId: { type: String, required: true },
    kind: { type: String, required: true },
    workOrderId: { type: String, default: null },
    payload: { type: Schema.Types.Mixed, default: {} },
    state: { type: Schema.Types.Mixed, default: undefined },
    customerIds: { type: [String], default: [] },
    internal: { type: Boolean, default: false },
    outage: { type: Boolean, default: false },
    at: { type: Date, required: true },
  },
  { versionKey: false, autoCreate: true },
);
eventSchema.index({ seq: 1 }, { unique: true });
// Sparse: events written before ids existed have none.
eventSchema.index({ id: 1 }, { unique: true, sparse: true });
// One tenant's feed, in order (integrators' change feed).
eventSchema.index({ tenantId: 1, seq: 1 });

/** True when a duplicate-key error is about the event id (the event is stored already), not the seq. */
const isDuplicateId = (err: unknown) => {
  const e = err as { keyPattern?: Record<string, unknown>; message?: string };
  return !!e.keyPattern?.id || /index: id_1\b|\bid_1 dup key/.test(e.message ?? '');
};

export interface EventLog {
  /** Appends an event once: appending an event with the same `id` again returns the stored one. */
  append: (event: ChangeEvent) => Promise<StoredEvent>;
  /** Events after `seq`, oldest first; `gap` when events after `seq` have already been dropped. */
  readAfter: (seq: number, limit?: number) => Promise<{ events: StoredEvent[]; gap: boolean }>;
  /**
   * One tenant's events after `seq`, oldest first, of the given types (all when none are given);
   * `gap` as for {@link EventLog.readAfter}: events after `seq` have already been dropped.
   */
  readTenantAfter: (tenantId: string, seq: number, options?: { limit?: number; types?: readonly string[] }) => Promise<{ events: StoredEvent[]; gap: boolean }>;
  /** The newest `seq` (0 when empty): where a new subscriber starts. */
  head: () => Promise<number>;
  /**
   * Whether the event right after `seq` is stored: one point lookup on the unique `seq` index, the
   * cheap "anything new?" of an idle reader. False also when events after `seq` were trimmed, which
   * only {@link EventLog.readAfter} tells (readers still read in full now and then).
   */
  hasAfter: (seq: number) => Promise<boolean>;
  /**
   * Removes the oldest events beyond the retention limits (never the newest one, which `seq`
   * continues from); returns how many went. Cheap on any
   * server: `seq` is gap-free, so the count limit is a range and the age limit a binary search,
   * both on the unique `seq` index.
   */
  trim: (limits?: Partial<typeof EVENT_LOG_LIMITS>, now?: Date) => Promise<number>;
  close: () => Promise<void>;
}

export function eventLogOn(conn: Connection, ownsConnection = false): EventLog {
  const Event: Model<StoredEvent> = (conn.models.Event as Model<StoredEvent>) ?? conn.model<StoredEvent>('Event', eventSchema, 'events');
  const ready = Event.init().then(() => Event.createIndexes());
  const withoutId = ({ _id, ...e }: StoredEvent & { _id?: unknown }) => e as StoredEvent;
  /** Whether events right after `seq` were trimmed. */
  const trimmedAfter = async (seq: number) => {
    const oldest = await Event.findOne({}, { seq: 1 }).sort({ seq: 1 }).lean();
    return !!oldest && oldest.seq > seq + 1;
  };
  const has = async (seq: number) => (await Event.exists({ seq })) !== null;
  /** The highest seq this process has seen stored: where finding the head starts. */
  let seen = 0;
  const saw = (seq: number) => {
    if (seq > seen) seen = seq;
  };
  /** The newest seq by sorting: one index walk on MongoDB; a scan on servers without range indexes. */
  const newestBySort = async () => {
    const last = await Event.findOne({}, { seq: 1 }).sort({ seq: -1 }).lean();
    return last?.seq ?? 0;
  };
  const head = async () => {
    await ready;
    // Seqs are consecutive from the oldest kept event to the newest (appends take head + 1; trimming
    // only removes the oldest), so from a seq known to be stored the newest is found by point
    // lookups: gallop forward, then bisect. A start that is gone (trimmed) or unknown sorts instead.
    if (!seen || !(await has(seen))) {
      seen = 0;
      saw(await newestBySort());
      return seen;
    }
    let lo = seen;
    let step = 1;
    while (await has(lo + step)) {
      lo += step;
      step *= 2;
    }
    let hi = lo + step;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await has(mid)) lo = mid;
      else hi = mid;
    }
    saw(lo);
    return seen;
  };
  // The seq after this process's last append: valid until another writer takes it (then re-read).
  let nextSeq: number | null = null;
  let appendChain: Promise<unknown> = Promise.resolve();
  const appendOne = async (event: ChangeEvent): Promise<StoredEvent> => {
    await ready;
    for (let attempt = 0; ; attempt++) {
      const seq = nextSeq ?? (await head()) + 1;
      try {
        const doc = { ...event, seq, at: new Date() };
        await Event.create(doc);
        // Our own insert is acknowledged, hence visible: taking seq + 1 next keeps the order rule.
        nextSeq = seq + 1;
        saw(seq);
        return doc;
      } catch (err) {
        nextSeq = null;
        if (isDuplicateKey(err) && isDuplicateId(err)) {
          const stored = await Event.findOne({ id: event.id }).lean<StoredEvent & { _id?: unknown }>();
          if (stored) {
            const { _id, ...rest } = stored;
            return rest as StoredEvent;
          }
        }
        if (!isDuplicateKey(err) || attempt >= 50) throw err;
        // Another writer took this seq: take the next one.
        await new Promise((r) => setTimeout(r, Math.random() * 5 * Math.min(attempt + 1, 10)));
      }
    }
  };
  return {
    head,
    async hasAfter(seq) {
      await ready;
      return has(seq + 1);
    },
    append(event) {
      // Appends from one process go one at a time, so they never race each other for a seq; only
      // writers in other processes can collide, and the unique index settles that.
      const run = appendChain.then(() => appendOne(event));
      appendChain = run.catch(() => undefined);
      return run;
    },
    async readAfter(seq, limit = 500) {
      await ready;
      const events = await Event.find({ seq: { $gt: seq } }).sort({ seq: 1 }).limit(limit).lean<StoredEvent[]>();
      if (events.length) saw(events.at(-1)!.seq);
      // Nothing new needs no second look: trimming drops the oldest events, never the newest.
      const gap = seq > 0 && events.length > 0 && events[0]!.seq !== seq + 1 && (await trimmedAfter(seq));
      return { events: events.map(withoutId), gap };
    },
    async readTenantAfter(tenantId, seq, { limit = 100, types } = {}) {
      await ready;
      const filter: Record<string, unknown> = { tenantId, seq: { $gt: seq } };
      if (types?.length) filter.type = { $in: [...types] };
      const events = await Event.find(filter).sort({ seq: 1 }).limit(limit).lean<StoredEvent[]>();
      // A tenant's events are not consecutive in the log: the oldest kept event tells.
      return { events: events.map(withoutId), gap: seq > 0 && (await trimmedAfter(seq)) };
    },
    async trim(limits = {}, now = new Date()) {
      await ready;
      const { maxEvents, maxAgeMs } = { ...EVENT_LOG_LIMITS, ...limits };
      const newest = await head();
      const oldestDoc = await Event.findOne({}, { seq: 1 }).sort({ seq: 1 }).lean();
      if (!oldestDoc) return 0;
      // Everything below `keepFrom` goes. By count: the newest maxEvents seqs stay.
      let keepFrom = Math.max(oldestDoc.seq, newest - maxEvents + 1);
      // By age: the first kept event younger than the cut-off, found by bisection over seq.
      // Appends take `at` when they take `seq`, so `at` rises with `seq` (give or take clock skew
      // between writers, which only moves the cut by a few events).
      const cutoff = now.getTime() - maxAgeMs;
      const atOf = async (n: number) => (await Event.findOne({ seq: n }, { at: 1 }).lean())?.at?.getTime();
      let lo = keepFrom;
      let hi = newest + 1;
      while (lo < hi) {
        const mid = Math.floor((lo + hi) / 2);
        const at = await atOf(mid);
        // A missing seq can only be one being trimmed concurrently: treat it as old.
        if (at === undefined || at < cutoff) lo = mid + 1;
        else hi = mid;
      }
      // The newest event always stays: `seq` continues from it, so cursors stay meaningful.
      keepFrom = Math.min(lo, newest);
      if (keepFrom <= oldestDoc.seq) return 0;
      const { deletedCount } = await Event.deleteMany({ seq: { $lt: keepFrom } });
      return deletedCount ?? 0;
    },
    close: async () => {
      if (ownsConnection) await conn.close();
    },
  };
}

/** Options for {@link startEventLogTrimmer}. */
export interface EventLogTrimmerOptions {
  /** Pause between two trims. @default 60 000 ms */
  intervalMs?: number;
  limits?: Partial<typeof EVENT_LOG_LIMITS>;
  onError?: (err: unknown) => void;
}

/**
 * Runs {@link EventLog.trim} now and then every `intervalMs` until stopped. Several processes may
 * each run one: a trim removes only what is past the limits, so running it twice removes nothing more.
 */
export function startEventLogTrimmer(log: EventLog, options: EventLogTrimmerOptions = {}): { stop: () => Promise<void> } {
  const interval = options.intervalMs ?? 60_000;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = log.trim(options.limits).catch((err) => options.onError?.(err));
  };
  tick();
  const timer = setInterval(tick, interval);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

/** Opens the shared event log database (`${prefix}_events`). */
export async function openEventLog(mongo: MongoOptions): Promise<EventLog> {
  return eventLogOn(await connectMongo('events', mongo), true);
}
