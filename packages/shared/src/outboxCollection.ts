import { randomUUID } from 'node:crypto';
import { Schema, type Connection, type Model, type SchemaDefinition } from 'mongoose';
import { isDuplicateKey } from './duplicateKey.ts';

type Row = { _id: unknown } & Record<string, unknown>;

/**
 * A collection of outgoing messages of one channel (mail, texts) in the shared outbox database:
 * each message is stored once per idempotency key, then a sender claims it with a lease, sends it
 * and marks what happened. The channels differ only in their fields and what "sent" records.
 */
export interface OutboxCollection<Outgoing, Stored> {
  /** Stores a message once per `dedupeKey`; `duplicate` is true when it was already there. */
  queue: (message: Outgoing) => Promise<{ stored: Stored; duplicate: boolean }>;
  /** Newest first, optionally of one tenant, recipient or kind. */
  list: (filter: { tenantId?: string; to?: string; kind?: string; limit?: number }) => Promise<Stored[]>;
  /** The oldest pending messages no sender holds right now. */
  pending: (limit?: number) => Promise<Stored[]>;
  get: (id: string) => Promise<Stored | null>;
  /**
   * Reserves a pending message for one sender for `leaseMs` (default 5 minutes); false when
   * another sender holds it or it is no longer pending. Two senders never both win.
   */
  claim: (id: string, leaseMs?: number) => Promise<boolean>;
  /** Records a pending message as handed over, with what the channel learnt (e.g. a provider's id). */
  markSent: (id: string, facts?: Record<string, unknown>) => Promise<void>;
  markFailed: (id: string, error: string) => Promise<void>;
  /** Leaves a message pending but held for `delayMs` (a retry after a passing failure), counting the attempt. */
  retryLater: (id: string, error: string, delayMs: number) => Promise<void>;
  /** The model and a row as the channel returns it, for what only one channel does. */
  model: Model<any>;
  toStored: (row: Row) => Stored;
  close: () => Promise<void>;
}

/** The fields and indexes every outbox collection has, around a channel's own fields. */
export function outboxSchema(fields: SchemaDefinition, statuses: readonly string[]): Schema {
  const schema = new Schema(
    {
      tenantId: { type: String, required: true },
      to: { type: String, required: true },
      /** What kind of message: "welcome", "password-reset", "notification-…", … */
      kind: { type: String, required: true },
      dedupeKey: { type: String, required: true },
      ...fields,
      status: { type: String, enum: statuses, default: 'PENDING', required: true },
      sentAt: Date,
      error: String,
      /** Failed attempts so far (passing failures retried later). */
      attempts: Number,
      /** Set while a sender holds the message (see `claim`), or until a retry is due. */
      lockedUntil: Date,
    },
    { timestamps: true, versionKey: false },
  );
  schema.index({ dedupeKey: 1 }, { unique: true });
  schema.index({ tenantId: 1, _id: -1 });
  schema.index({ status: 1, _id: 1 });
  return schema;
}

/** A message not held by any sender: never leased, or its lease has run out. */
const free = (now: Date) => ({ $or: [{ lockedUntil: null }, { lockedUntil: { $lte: now } }] });

/**
 * One channel's outbox on a connection to the outbox database. `address` puts a recipient in the
 * form it is stored and looked up by (lower-cased email, E.164 number).
 */
export function outboxCollection<Outgoing extends { to: string; dedupeKey?: string }, Stored extends { id: string }>(
  conn: Connection,
  o: { model: string; collection: string; schema: Schema; address: (to: string) => string; ownsConnection?: boolean },
): OutboxCollection<Outgoing, Stored> {
  const M: Model<any> = conn.models[o.model] ?? conn.model(o.model, o.schema, o.collection);
  const ready = M.init().then(() => M.createIndexes());
  const toStored = ({ _id, ...rest }: Row) => ({ ...rest, id: String(_id) }) as unknown as Stored;
  return {
    model: M,
    toStored,
    async queue(message) {
      await ready;
      const dedupeKey = message.dedupeKey ?? randomUUID();
      try {
        const created = await M.create({ ...message, to: o.address(message.to), dedupeKey });
        return { stored: toStored(created.toObject() as Row), duplicate: false };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const existing = await M.findOne({ dedupeKey }).lean<Row>();
        return { stored: toStored(existing!), duplicate: true };
      }
    },
    async list({ tenantId, to, kind, limit = 50 }) {
      await ready;
      const filter: Record<string, unknown> = {};
      if (tenantId) filter.tenantId = tenantId;
      if (to) filter.to = o.address(to);
      if (kind) filter.kind = kind;
      const rows = await M.find(filter).sort({ _id: -1 }).limit(Math.min(limit, 200)).lean<Row[]>();
      return rows.map(toStored);
    },
    async pending(limit = 50) {
      await ready;
      return (await M.find({ status: 'PENDING', ...free(new Date()) }).sort({ _id: 1 }).limit(limit).lean<Row[]>()).map(toStored);
    },
    async get(id) {
      await ready;
      if (!/^[0-9a-f]{24}$/i.test(id)) return null;
      const row = await M.findById(id).lean<Row>();
      return row ? toStored(row) : null;
    },
    async claim(id, leaseMs = 5 * 60_000) {
      await ready;
      const now = new Date();
      // One conditional update decides between racing senders; a sender that dies leaves a lease
      // that simply runs out.
      const res = await M.updateOne({ _id: id, status: 'PENDING', ...free(now) }, { $set: { lockedUntil: new Date(now.getTime() + leaseMs) } });
      return res.modifiedCount === 1;
    },
    async markSent(id, facts = {}) {
      await M.updateOne({ _id: id, status: 'PENDING' }, { $set: { ...facts, status: 'SENT', sentAt: new Date() } });
    },
    async markFailed(id, error) {
      await M.updateOne({ _id: id }, { $set: { status: 'FAILED', error: error.slice(0, 500) } });
    },
    async retryLater(id, error, delayMs) {
      await M.updateOne({ _id: id, status: 'PENDING' }, { $set: { error: error.slice(0, 500), lockedUntil: new Date(Date.now() + delayMs) }, $inc: { attempts: 1 } });
    },
    close: async () => {
      if (o.ownsConnection) await conn.close();
    },
  };
}
