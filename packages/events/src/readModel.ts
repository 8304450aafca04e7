import { isDuplicateKey, type Logger } from '@wisp/shared';
import { Schema, type Connection, type Model } from 'mongoose';
import { EVENT_CATALOGUE, type EventType, type StatefulEntity, type StateOf } from './catalogue.ts';
import { startConsumer, type Consumer } from './consumer.ts';
import type { EventLog, StoredEvent } from './eventLog.ts';

/** One entity as a read model holds it: its published state, with its id and tenant. */
export type Known<E extends StatefulEntity> = StateOf<E> & { id: string; tenantId: string };

/** Options for {@link startReadModel}. */
export interface ReadModelOptions<E extends StatefulEntity> {
  /** Names the consumer (its cursor) and the collection, `rm_<name>`, in the consumer's own database. */
  name: string;
  entity: E;
  /** The consuming service's OWN database. */
  conn: Connection;
  log: EventLog;
  logger: Logger;
  /** Indexes for the lookups the service makes, on `state.<field>` paths (e.g. `{ tenantId: 1, 'state.site': 1 }`). */
  indexes?: Record<string, 1 | -1>[];
  /** @default 100 ms */
  pollMs?: number;
}

export interface ReadModel<E extends StatefulEntity> {
  /**
   * One entity of a tenant, or null. An id it does not know yet may be one created a moment ago
   * (its owner relays before answering, so the event is in the log): a miss waits until the model
   * has caught up with the log and looks again.
   */
  get: (tenantId: string, id: string) => Promise<Known<E> | null>;
  /** Several entities of one tenant; unknown ids are left out (after the same wait as `get`). */
  getMany: (tenantId: string, ids: string[]) => Promise<Known<E>[]>;
  /** Entities matching a filter on `tenantId` and `state.<field>` paths. */
  find: (filter: Record<string, unknown>, limit?: number) => Promise<Known<E>[]>;
  /** Resolves once every event in the log at the time of the call has been applied. */
  settled: () => Promise<void>;
  /** Events in the log not applied yet. */
  lag: () => Promise<number>;
  stop: () => Promise<void>;
}

interface Row {
  _id: string;
  tenantId: string;
  seq: number;
  state: Record<string, unknown>;
}

const HEX24 = /^[0-9a-f]{24}$/i;

/**
 * A service's own copy of what it must know of another service's entities, kept from the events
 * that carry their state. Each row remembers the `seq` of the event it came from and only a later
 * event replaces it, so redelivery (at least once) and several processes applying the same events
 * leave the newest state.
 */
export async function startReadModel<E extends StatefulEntity>(options: ReadModelOptions<E>): Promise<ReadModel<E>> {
  const { conn, entity, name } = options;
  const modelName = `ReadModel_${name}`;
  let Rows = conn.models[modelName] as Model<Row> | undefined;
  if (!Rows) {
    const schema = new Schema<Row>(
      { _id: { type: String, required: true }, tenantId: { type: String, required: true }, seq: { type: Number, required: true }, state: { type: Schema.Types.Mixed, required: true } },
      { versionKey: false, minimize: false },
    );
    schema.index({ tenantId: 1 });
    for (const index of options.indexes ?? []) schema.index(index);
    Rows = conn.model<Row>(modelName, schema, `rm_${name}`);
  }
  const model = Rows;
  await model.init();
  await model.createIndexes();

  const apply = async (event: StoredEvent) => {
    if (event.entity !== entity || !event.state) return;
    try {
      // Newer than what is held, or new: replace. Older (a redelivery): the filter misses and the
      // upsert collides with the row on _id, which is the answer "keep what is there".
      await model.updateOne(
        { _id: event.entityId, seq: { $lt: event.seq } },
        { $set: { tenantId: event.tenantId, seq: event.seq, state: event.state } },
        { upsert: true },
      );
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  };
  const types = (Object.keys(EVENT_CATALOGUE) as EventType[]).filter((t) => EVENT_CATALOGUE[t].entity === entity);
  const consumer: Consumer = await startConsumer({ name: `read-model:${name}`, conn, log: options.log, types, handle: apply, logger: options.logger, pollMs: options.pollMs });

  const toKnown = (row: Row): Known<E> => ({ ...(row.state as StateOf<E>), id: row._id, tenantId: row.tenantId });
  const many = async (tenantId: string, ids: string[]) => {
    const rows = await model.find({ _id: { $in: ids }, tenantId }).lean<Row[]>();
    return rows.map(toKnown);
  };
  return {
    async get(tenantId, id) {
      if (!HEX24.test(id) || !HEX24.test(tenantId)) return null;
      let row = await model.findOne({ _id: id, tenantId }).lean<Row>();
      if (!row) {
        await consumer.caughtUp();
        row = await model.findOne({ _id: id, tenantId }).lean<Row>();
      }
      return row ? toKnown(row) : null;
    },
    async getMany(tenantId, ids) {
      const wanted = [...new Set(ids.filter((id) => HEX24.test(id)))];
      if (!HEX24.test(tenantId) || !wanted.length) return [];
      const found = await many(tenantId, wanted);
      if (found.length === wanted.length) return found;
      await consumer.caughtUp();
      return many(tenantId, wanted);
    },
    async find(filter, limit = 10_000) {
      return (await model.find(filter).limit(limit).lean<Row[]>()).map(toKnown);
    },
    settled: () => consumer.caughtUp(),
    lag: () => consumer.lag(),
    stop: () => consumer.stop(),
  };
}
