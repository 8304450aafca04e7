import { randomUUID } from 'node:crypto';
import type { Logger } from '@wisp/shared';
import { Schema, Types, type Model, type UpdateQuery } from 'mongoose';
import { ENTITY_STATE, EVENT_CATALOGUE, type EventType, type PayloadOf, type StatefulEntity, type StateOf } from './catalogue.ts';
import type { ChangeEvent, EventLog } from './eventLog.ts';

/**
 * Publishing in the same write path as the change (the transactional outbox, kept inside the
 * entity's own document): the events of a change are pushed onto the document's
 * `_pendingEvents` in the very update that makes the change. MongoDB writes one document
 * atomically, so the change and its events are saved together or not at all, with no transaction.
 * A relay then appends them to the event log (idempotently, by event id) and removes them from
 * the document. A crash between saving and relaying loses nothing: the relay's sweep finds
 * documents that still carry pending events and finishes the job.
 */
export const PENDING_EVENTS = '_pendingEvents';

/**
 * Set on a document once an event with its entity's state has been relayed: documents without it
 * were saved before their service published state (an upgraded install), and are announced once
 * at start ({@link announceUnannounced}).
 */
export const ANNOUNCED = '_announced';

/** Adds the pending-events field to an entity schema (hidden from ordinary reads). */
export function addPendingEvents(schema: Schema): void {
  schema.add({ [PENDING_EVENTS]: { type: [Schema.Types.Mixed], default: undefined, select: false } });
  schema.add({ [ANNOUNCED]: { type: Boolean, select: false } });
  // Lets the sweep find unrelayed events without reading every document.
  schema.index({ [`${PENDING_EVENTS}.id`]: 1 }, { sparse: true });
}

/** Fields of an event its publisher supplies; the catalogue supplies the rest. */
export type EventInit<T extends EventType> = Omit<ChangeEvent, 'id' | 'type' | 'version' | 'owner' | 'entity' | 'payload'> & { payload: PayloadOf<T> };

/** Builds an event of the catalogue, checking its payload against the catalogue's schema. */
export function newEvent<T extends EventType>(type: T, init: EventInit<T>): ChangeEvent {
  const def = EVENT_CATALOGUE[type];
  const parsed = def.payload.safeParse(init.payload);
  if (!parsed.success) throw new Error(`Event ${type} does not match the catalogue: ${parsed.error.message}`);
  return { ...init, id: randomUUID(), type, version: def.version, owner: def.owner, entity: def.entity, payload: parsed.data as Record<string, unknown> };
}

/** The update with `events` pushed onto the document in the same write. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the update of any model
export function withEvents(update: UpdateQuery<any>, events: ChangeEvent[]): UpdateQuery<any> {
  if (!events.length) return update;
  const push = { ...((update.$push as Record<string, unknown>) ?? {}), [PENDING_EVENTS]: { $each: events } };
  return { ...update, $push: push };
}

/** Options for {@link createRelay}. */
export interface RelayOptions {
  /**
   * Pause between two sweeps for events a crashed writer left behind (the first runs at start, when
   * a restarted service finds what it left). Every write flushes its own events at once, so sweeps
   * only matter after a crash. @default 60 000 ms
   */
  sweepMs?: number;
  logger: Logger;
}

/** A model whose documents carry pending events, and how to read its entity's published state. */
export interface RelaySource<E extends StatefulEntity = StatefulEntity> {
  model: Model<any>;
  entity: E;
  /** The published state of one stored document (read with every field). */
  state: (doc: Record<string, any>) => StateOf<E>;
}

export interface Relay {
  /** Appends the pending events of one document of `model` (by id or filter) to the log, then removes them from it. */
  flush: (model: Model<any>, which: unknown) => Promise<void>;
  /** Flushes every document that still carries pending events; returns how many events went. */
  sweep: () => Promise<number>;
  stop: () => Promise<void>;
}

/**
 * Moves pending events from the documents of `models` to the log: at once after each write
 * (`flush`) and by a periodic sweep. Events of one document go in the order they were pushed; an
 * event relayed twice (by a flush and a sweep at once) is stored once, by its id.
 */
export function createRelay(log: EventLog, sources: () => (Model<any> | RelaySource)[], options: RelayOptions): Relay {
  const sweepMs = options.sweepMs ?? 60_000;
  const sourceOf = (s: Model<any> | RelaySource): RelaySource | { model: Model<any>; state?: undefined; entity?: undefined } => ('model' in s && 'entity' in s ? s : { model: s as Model<any> });
  const models = () => sources().map(sourceOf);
  /**
   * The state attached to events relayed now. It is read after the events were pushed, so it
   * includes their change; two relays of one document attach states in the order they read them,
   * and each event is stored once, so an entity's states in the log never go back in time.
   */
  const stateFor = (model: Model<any>, doc: Record<string, unknown>): Record<string, unknown> | null => {
    const source = models().find((s) => s.model === model);
    if (!source?.state) return null;
    const parsed = ENTITY_STATE[source.entity].safeParse(source.state(doc));
    if (parsed.success) return parsed.data as Record<string, unknown>;
    // A bug, not bad input: the events still go (without state) rather than block the entity's feed.
    options.logger.error('an entity state does not match the catalogue', { entity: source.entity, id: String(doc._id), error: parsed.error.message });
    return null;
  };
  const relayDoc = async (model: Model<any>, which: unknown): Promise<number> => {
    const filter = which && typeof which === 'object' && !(which instanceof Types.ObjectId) ? (which as Record<string, unknown>) : { _id: which };
    const doc = await model.findOne(filter).select(`+${PENDING_EVENTS}`).lean<Record<string, unknown>>();
    const pending = (doc?.[PENDING_EVENTS] as ChangeEvent[] | undefined) ?? [];
    if (!pending.length) return 0;
    const state = stateFor(model, doc!);
    for (const event of pending) await log.append(state ? { ...event, state } : event);
    await model.updateOne({ _id: doc!._id }, { $pull: { [PENDING_EVENTS]: { id: { $in: pending.map((e) => e.id) } } }, ...(state ? { $set: { [ANNOUNCED]: true } } : {}) });
    return pending.length;
  };
  const sweep = async () => {
    let moved = 0;
    for (const { model } of models()) {
      const docs = await model.find({ [`${PENDING_EVENTS}.id`]: { $exists: true } }, { _id: 1 }).limit(500).lean<{ _id: unknown }[]>();
      for (const d of docs) moved += await relayDoc(model, d._id);
    }
    return moved;
  };
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = sweep()
      .then((n) => {
        // Usually a write whose own flush was still under way; after a crash, what it left behind.
        if (n) options.logger.debug('relayed pending events', { events: n });
      })
      .catch((err) => options.logger.warn('relaying pending events failed', { error: String(err) }));
  };
  // Soon after start (the models register as the service starts), then now and then.
  const first = setTimeout(tick, Math.min(1_000, sweepMs));
  first.unref();
  const timer = setInterval(tick, sweepMs);
  timer.unref();
  return {
    async flush(model, which) {
      if (stopped) return;
      // The change is saved already; if relaying fails now, the sweep retries it.
      await relayDoc(model, which).catch((err) => options.logger.warn('relaying events failed; the sweep will retry', { error: String(err) }));
    },
    sweep,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * Announces every document of `model` that no event with its state has left yet (saved before its
 * service published state): pushes `event(doc)` onto each, then relays it. Run at start; a second
 * run finds nothing. A document being written at the same moment may be announced twice, which
 * only repeats its current state.
 */
export async function announceUnannounced(model: Model<any>, relay: Relay, event: (doc: Record<string, any>) => ChangeEvent): Promise<number> {
  let announced = 0;
  for (;;) {
    const docs = await model.find({ [ANNOUNCED]: { $ne: true } }).limit(200).lean<Record<string, any>[]>();
    if (!docs.length) return announced;
    for (const doc of docs) {
      const res = await model.updateOne({ _id: doc._id, [ANNOUNCED]: { $ne: true } }, withEvents({}, [event(doc)]));
      if (res.modifiedCount) await relay.flush(model, doc._id);
      // A flush that failed leaves the events for the sweep; the marker keeps this loop moving.
      await model.updateOne({ _id: doc._id }, { $set: { [ANNOUNCED]: true } });
      announced++;
    }
  }
}
