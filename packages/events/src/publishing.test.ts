import { randomBytes } from 'node:crypto';
import { connectMongo, createLogger } from '@wisp/shared';
import { Schema, type Connection, type Model } from 'mongoose';
/* eslint-disable @typescript-eslint/no-explicit-any -- a throw-away model */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startConsumer } from './consumer.ts';
import { eventLogOn, type EventLog, type StoredEvent } from './eventLog.ts';
import { addPendingEvents, announceUnannounced, createRelay, newEvent, PENDING_EVENTS, withEvents } from './publishing.ts';
import { sampleTicketEvent } from './testing.ts';

const logger = createLogger('events-test');
const updated = sampleTicketEvent;

describe('publishing with the change', () => {
  let conn: Connection;
  let eventsConn: Connection;
  let log: EventLog;
  let Ticket: Model<any>;
  beforeAll(async () => {
    const mongo = { uri: inject('mongoUri'), dbPrefix: `pub_${randomBytes(4).toString('hex')}` };
    [conn, eventsConn] = await Promise.all([connectMongo('work-order', mongo), connectMongo('events', mongo)]);
    log = eventLogOn(eventsConn);
    const schema = new Schema({ _id: String, title: String });
    addPendingEvents(schema);
    Ticket = conn.model('Ticket', schema);
  });
  afterAll(async () => {
    await Promise.all([conn.close(), eventsConn.close()]);
  });

  const eventsOf = async (entityId: string) => (await log.readAfter(0, 10_000)).events.filter((e) => e.entityId === entityId);

  it('refuses an event whose payload does not match the catalogue', () => {
    expect(() => newEvent('ticket.updated', { tenantId: 't1', entityId: 'x', kind: 'updated', customerIds: [], internal: false, payload: { fields: [] } as never })).toThrow(/catalogue/);
  });

  it('loses no event when the writer dies between saving the change and publishing it', async () => {
    // The "crash": the change and its events are saved in one write, and nothing relays them.
    await Ticket.create({ _id: 'crash-1', title: 'before' });
    await Ticket.updateOne({ _id: 'crash-1' }, withEvents({ $set: { title: 'after' } }, [updated('crash-1', 'title')]));
    expect(await eventsOf('crash-1')).toEqual([]);
    // A restarted service's relay sweeps what was left behind.
    const relay = createRelay(log, () => [Ticket], { logger, sweepMs: 60_000 });
    try {
      expect(await relay.sweep()).toBe(1);
      const published = await eventsOf('crash-1');
      expect(published.map((e) => e.type)).toEqual(['ticket.updated']);
      const doc = await Ticket.findById('crash-1').select(`+${PENDING_EVENTS}`).lean<Record<string, unknown>>();
      expect(doc?.title).toBe('after');
      expect((doc?.[PENDING_EVENTS] as unknown[] | undefined) ?? []).toEqual([]);
      expect(await relay.sweep()).toBe(0);
    } finally {
      await relay.stop();
    }
  });

  it('stores each event once and in order when a flush and a sweep relay the same document at once', async () => {
    await Ticket.create({ _id: 'race-1', title: 'a' });
    const evs = ['title', 'status', 'priority'].map((f) => updated('race-1', f));
    for (const e of evs) await Ticket.updateOne({ _id: 'race-1' }, withEvents({ $set: { title: e.id } }, [e]));
    const relay = createRelay(log, () => [Ticket], { logger, sweepMs: 60_000 });
    try {
      await Promise.all([relay.flush(Ticket, 'race-1'), relay.sweep(), relay.flush(Ticket, 'race-1')]);
      expect((await eventsOf('race-1')).map((e) => e.id)).toEqual(evs.map((e) => e.id));
    } finally {
      await relay.stop();
    }
  });

  it('a consumer resumes from its durable cursor after a restart and handles every event at least once', async () => {
    const cursorConn = await connectMongo('messaging', { uri: inject('mongoUri'), dbPrefix: `cur_${randomBytes(4).toString('hex')}` });
    try {
      const start = await log.head();
      const seen: StoredEvent[] = [];
      const ids = Array.from({ length: 5 }, (_, i) => `cons-${i}`);
      const first = await startConsumer({ name: 'test', conn: cursorConn, log, logger, pollMs: 20, handle: async (e) => void seen.push(e) });
      for (const id of ids.slice(0, 3)) await log.append(updated(id, 'title'));
      await first.caughtUp();
      expect(await first.lag()).toBe(0);
      await first.stop();
      // While it is down, more happens; a handler failure is retried, never skipped.
      for (const id of ids.slice(3)) await log.append(updated(id, 'title'));
      let failOnce = true;
      const second = await startConsumer({
        name: 'test',
        conn: cursorConn,
        log,
        logger,
        pollMs: 20,
        async handle(e) {
          if (e.entityId === 'cons-4' && failOnce) {
            failOnce = false;
            throw new Error('transient');
          }
          seen.push(e);
        },
      });
      expect(second.position).toBeGreaterThanOrEqual(start + 3);
      await second.caughtUp();
      await second.stop();
      const mine = seen.filter((e) => e.seq > start && ids.includes(e.entityId)).map((e) => e.entityId);
      expect([...new Set(mine)]).toEqual(ids);
      expect(mine.filter((id) => id === 'cons-0')).toHaveLength(1);
    } finally {
      await cursorConn.close();
    }
  });

  it('a consumer of a quiet log still picks up the next event, and reads past a trim it slept through', async () => {
    const db = `quiet_${randomBytes(4).toString('hex')}`;
    const [cursorConn, quietConn] = await Promise.all([connectMongo('messaging', { uri: inject('mongoUri'), dbPrefix: db }), connectMongo('events', { uri: inject('mongoUri'), dbPrefix: db })]);
    const quietLog = eventLogOn(quietConn);
    try {
      const seen: string[] = [];
      const consumer = await startConsumer({ name: 'quiet', conn: cursorConn, log: quietLog, logger, pollMs: 5, idlePollMs: 40, handle: async (e) => void seen.push(e.entityId) });
      // Long enough to be in its longest pause, asking only "is the next one there?".
      await new Promise((r) => setTimeout(r, 600));
      await quietLog.append(updated('quiet-1', 'title'));
      await expect.poll(() => seen, { timeout: 5_000, interval: 20 }).toEqual(['quiet-1']);
      await new Promise((r) => setTimeout(r, 600));
      // Events it has not seen yet are trimmed away (as a rule before its next look): the point lookup
      // for the next seq keeps missing, and the periodic full read moves it on to what is kept.
      await Promise.all(Array.from({ length: 5 }, (_, i) => quietLog.append(updated(`quiet-${i + 2}`, 'title'))));
      await quietLog.trim({ maxEvents: 2 });
      const head = await quietLog.head();
      try {
        await expect.poll(() => consumer.position, { timeout: 5_000, interval: 20 }).toBe(head);
        expect(seen.at(-1)).toBe((await quietLog.readAfter(head - 1)).events[0]!.entityId);
      } finally {
        await consumer.stop();
      }
    } finally {
      await Promise.all([cursorConn.close(), quietConn.close()]);
    }
  });

  it('announces, once and with its state, each entity saved before its service published state', async () => {
    const schema = new Schema({ _id: String, number: String, title: String, tenantId: String });
    addPendingEvents(schema);
    const Old = conn.model('OldTicket', schema);
    await Old.collection.insertMany([
      { _id: 'old-1', number: 'T-1', title: 'Saved long ago', tenantId: 't1' },
      { _id: 'old-2', number: 'T-2', title: 'Also long ago', tenantId: 't1' },
    ] as never[]);
    const state = (doc: Record<string, any>) => ({ number: doc.number, title: doc.title, type: 'SUPPORT', status: 'OPEN', priority: 'MEDIUM', category: 'OTHER', reporterCustomerId: null, affectedCustomerIds: [], assigneeUid: null });
    const relay = createRelay(log, () => [{ model: Old, entity: 'WorkOrder', state }], { logger, sweepMs: 60_000 });
    try {
      expect(await announceUnannounced(Old, relay, (doc) => updated(String(doc._id), 'announced'))).toBe(2);
      const published = await eventsOf('old-1');
      expect(published).toHaveLength(1);
      expect(published[0]!.state).toMatchObject({ number: 'T-1', title: 'Saved long ago' });
      // The next start finds nothing left to announce, and later changes keep the mark.
      expect(await announceUnannounced(Old, relay, (doc) => updated(String(doc._id), 'announced'))).toBe(0);
      await Old.updateOne({ _id: 'old-2' }, withEvents({ $set: { title: 'Changed' } }, [updated('old-2', 'title')]));
      await relay.flush(Old, 'old-2');
      expect(await announceUnannounced(Old, relay, (doc) => updated(String(doc._id), 'announced'))).toBe(0);
      expect((await eventsOf('old-2')).at(-1)!.state).toMatchObject({ title: 'Changed' });
    } finally {
      await relay.stop();
    }
  });
});
