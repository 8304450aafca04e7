import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectMongo, createLogger } from '@wisp/shared';
import { eventLogOn, type ChangeEvent, type EventLog, type StoredEvent } from '@wisp/events';
import type { Connection } from 'mongoose';
import { startEventTail } from './eventTail.ts';
import { sampleTicketEvent } from '@wisp/events/testing';

const event = (i: number): ChangeEvent => sampleTicketEvent(`wo${i}`);

const until = async (check: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('the gateway event tail', () => {
  let conn: Connection;
  let log: EventLog;
  let commands = 0;
  beforeAll(async () => {
    conn = await connectMongo('events', {
      uri: inject('mongoUri'),
      dbPrefix: `tail_${randomBytes(4).toString('hex')}`,
      onCommand: (e) => {
        if (e.commandName === 'find') commands++;
      },
    });
    log = eventLogOn(conn);
  });
  afterAll(() => conn.close());

  it('sends no queries while nobody subscribes, and catches up before the next subscriber starts', async () => {
    await log.append(event(0));
    const tail = await startEventTail(log, createLogger('tail-test'), { pollIntervalMs: 20, idleAfterMs: 100 });
    const seen: StoredEvent[] = [];
    tail.listen((e) => seen.push(e));
    let subscribers = 0;
    tail.demandFrom(() => subscribers > 0);
    try {
      await until(() => tail.idle);
      const before = commands;
      await new Promise((r) => setTimeout(r, 400));
      expect(commands - before).toBe(0);

      // Changes while asleep: the next subscriber must find the tail current, and nothing is lost.
      const a = await log.append(event(1));
      const b = await log.append(event(2));
      await tail.activate();
      subscribers = 1;
      expect(tail.idle).toBe(false);
      expect(tail.position).toBe(b.seq);
      expect(seen.map((e) => e.seq)).toEqual([a.seq, b.seq]);

      // While someone subscribes it keeps polling, with no idle sleep.
      const c = await log.append(event(3));
      await until(() => tail.position === c.seq);
      await new Promise((r) => setTimeout(r, 250));
      expect(tail.idle).toBe(false);
      expect(tail.recentAfter(a.seq)?.map((e) => e.seq)).toEqual([b.seq, c.seq]);

      // The last subscriber leaves: it goes back to sleep.
      subscribers = 0;
      await until(() => tail.idle);
    } finally {
      await tail.stop();
    }
  });
});
