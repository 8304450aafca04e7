import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey } from './duplicateKey.ts';
import { connectMongo, type MongoOptions } from './mongo.ts';

/**
 * The change feed of the work-order and messaging subgraphs: every change appends one event, in
 * one global order (`seq`), to a capped collection. Readers (the gateway's live updates) poll in
 * `seq` order, so a reader that remembers the last `seq` it saw resumes without loss.
 *
 * Order without transactions: `seq` has a unique index and a writer takes "highest + 1",
 * retrying on a duplicate key. A writer can only take n + 1 once event n is visible, so readers
 * never see a later event before an earlier one. Retention is bounded by the capped collection
 * (size and count, see {@link EVENT_LOG_LIMITS}); a reader resuming from a cursor older than the
 * oldest kept event is told so (`gap`) instead of silently missing events.
 */

export type EventEntity = 'WorkOrder' | 'Message';

/** One change, as appended by a subgraph. */
export interface ChangeEvent {
  tenantId: string;
  entity: EventEntity;
  entityId: string;
  /** What happened, e.g. "created", "status_changed", "message_added". */
  kind: string;
  /** The work order the change belongs to (itself for WorkOrder events). */
  workOrderId: string;
  /** Customers the change concerns (reporter and affected customers): a cheap first filter. */
  customerIds: string[];
  /** True for changes staff alone may see (internal notes). */
  internal: boolean;
  /** True for outage work orders (service notices). */
  outage?: boolean;
}

export interface StoredEvent extends ChangeEvent {
  seq: number;
  at: Date;
}

/** @default 64 MiB and 200 000 events, whichever is reached first */
export const EVENT_LOG_LIMITS = { sizeBytes: 64 * 1024 * 1024, maxEvents: 200_000 };

const eventSchema = new Schema(
  {
    seq: { type: Number, required: true },
    tenantId: { type: String, required: true },
    entity: { type: String, required: true },
    entityId: { type: String, required: true },
    kind: { type: String, required: true },
    workOrderId: { type: String, required: true },
    customerIds: { type: [String], default: [] },
    internal: { type: Boolean, default: false },
    outage: { type: Boolean, default: false },
    at: { type: Date, required: true },
  },
  { capped: { size: EVENT_LOG_LIMITS.sizeBytes, max: EVENT_LOG_LIMITS.maxEvents }, versionKey: false, autoCreate: true },
);
eventSchema.index({ seq: 1 }, { unique: true });

export interface EventLog {
  append: (event: ChangeEvent) => Promise<StoredEvent>;
  /** Events after `seq`, oldest first; `gap` when events after `seq` have already been dropped. */
  readAfter: (seq: number, limit?: number) => Promise<{ events: StoredEvent[]; gap: boolean }>;
  /** The newest `seq` (0 when empty): where a new subscriber starts. */
  head: () => Promise<number>;
  close: () => Promise<void>;
}

export function eventLogOn(conn: Connection, ownsConnection = false): EventLog {
  const Event: Model<StoredEvent> = (conn.models.Event as Model<StoredEvent>) ?? conn.model<StoredEvent>('Event', eventSchema, 'events');
  const ready = Event.init().then(() => Event.createIndexes());
  const head = async () => {
    await ready;
    const last = await Event.findOne({}, { seq: 1 }).sort({ seq: -1 }).lean();
    return last?.seq ?? 0;
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
        return doc;
      } catch (err) {
        nextSeq = null;
        if (!isDuplicateKey(err) || attempt >= 50) throw err;
        // Another writer took this seq: take the next one.
        await new Promise((r) => setTimeout(r, Math.random() * 5 * Math.min(attempt + 1, 10)));
      }
    }
  };
  return {
    head,
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
      let gap = false;
      // Nothing new needs no second look: the cap drops the oldest events, never the newest.
      if (seq > 0 && events.length > 0 && events[0]!.seq !== seq + 1) {
        // The events right after `seq` were dropped by the cap.
        const oldest = await Event.findOne({}, { seq: 1 }).sort({ seq: 1 }).lean();
        gap = !!oldest && oldest.seq > seq + 1;
      }
      return { events: events.map(({ _id, ...e }: StoredEvent & { _id?: unknown }) => e as StoredEvent), gap };
    },
    close: async () => {
      if (ownsConnection) await conn.close();
    },
  };
}

/** Opens the shared event log database (`${prefix}_events`). */
export async function openEventLog(mongo: MongoOptions): Promise<EventLog> {
  return eventLogOn(await connectMongo('events', mongo), true);
}
