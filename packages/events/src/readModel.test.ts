import { randomBytes } from 'node:crypto';
import { connectMongo, createLogger } from '@wisp/shared';
import { Types, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StateOf } from './catalogue.ts';
import { eventLogOn, type EventLog, type StoredEvent } from './eventLog.ts';
import { newEvent } from './publishing.ts';
import { startReadModel } from './readModel.ts';

const logger = createLogger('read-model-test');
const tenantId = new Types.ObjectId().toHexString();

function customer(name: string, site: string | null): StateOf<'Customer'> {
  return {
    accountNumber: 'A-1',
    name,
    email: null,
    ticketMailTo: null,
    phone: null,
    contactPreferences: { email: true, sms: false },
    site,
    sector: null,
    serviceStatus: 'ACTIVE',
    plan: null,
    equipment: [],
    portalStatus: 'NONE',
  };
}

const updatedEvent = (id: string, state: StateOf<'Customer'>) => ({
  ...newEvent('customer.updated', { tenantId, entityId: id, kind: 'updated', customerIds: [id], internal: false, payload: { fields: ['name'], site: state.site } }),
  state,
});

describe('a read model', () => {
  let conn: Connection;
  let eventsConn: Connection;
  let log: EventLog;
  beforeAll(async () => {
    const mongo = { uri: inject('mongoUri'), dbPrefix: `rm_${randomBytes(4).toString('hex')}` };
    [conn, eventsConn] = await Promise.all([connectMongo('messaging', mongo), connectMongo('events', mongo)]);
    log = eventLogOn(eventsConn);
  });
  afterAll(async () => {
    await Promise.all([conn.dropDatabase(), eventsConn.dropDatabase()]);
    await Promise.all([conn.close(), eventsConn.close()]);
  });

  it('holds the newest state of each entity, and an older event handed over again changes nothing', async () => {
    const id = new Types.ObjectId().toHexString();
    const first = await log.append(updatedEvent(id, customer('First', 'North')));
    await log.append(updatedEvent(id, customer('Second', 'South')));
    const name = `order-${randomBytes(3).toString('hex')}`;
    const model = await startReadModel({ name, entity: 'Customer', conn, log, logger, pollMs: 20 });
    await model.settled();
    expect(await model.get(tenantId, id)).toMatchObject({ id, tenantId, name: 'Second', site: 'South' });
    await model.stop();
    // As after a crash before the cursor moved: everything from the first event is delivered again.
    await conn.db!.collection<{ _id: string }>('event_cursors').updateOne({ _id: `read-model:${name}` }, { $set: { seq: first.seq - 1 } });
    const again = await startReadModel({ name, entity: 'Customer', conn, log, logger, pollMs: 20 });
    try {
      await again.settled();
      expect(await again.get(tenantId, id)).toMatchObject({ name: 'Second', site: 'South' });
    } finally {
      await again.stop();
    }
  });

  it('answers for an entity created a moment ago by waiting until it has caught up', async () => {
    const model = await startReadModel({ name: `miss-${randomBytes(3).toString('hex')}`, entity: 'Customer', conn, log, logger, pollMs: 5_000 });
    try {
      await model.settled();
      const id = new Types.ObjectId().toHexString();
      // Appended after the model's last read, which now pauses for 5 s: only the miss makes it read again.
      await log.append(updatedEvent(id, customer('New', 'East')));
      const started = Date.now();
      expect((await model.get(tenantId, id))?.name).toBe('New');
      expect(Date.now() - started).toBeLessThan(2_000);
      // Another tenant's id, and a malformed one, are unknown.
      expect(await model.get(new Types.ObjectId().toHexString(), id)).toBeNull();
      expect(await model.get(tenantId, 'nope')).toBeNull();
      expect((await model.find({ tenantId, 'state.site': 'East' })).map((c) => c.id)).toEqual([id]);
    } finally {
      await model.stop();
    }
  });

  it('resumes from its cursor after a restart and ignores events without state', async () => {
    const name = `restart-${randomBytes(3).toString('hex')}`;
    const id = new Types.ObjectId().toHexString();
    const model = await startReadModel({ name, entity: 'Customer', conn, log, logger, pollMs: 20 });
    await model.settled();
    await model.stop();
    const { state: _state, ...stateless } = updatedEvent(id, customer('Ghost', null));
    await log.append(stateless as StoredEvent);
    await log.append(updatedEvent(id, customer('After restart', 'West')));
    const restarted = await startReadModel({ name, entity: 'Customer', conn, log, logger, pollMs: 20 });
    try {
      await restarted.settled();
      expect(await restarted.lag()).toBe(0);
      expect((await restarted.get(tenantId, id))?.name).toBe('After restart');
    } finally {
      await restarted.stop();
    }
  });
});
