import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openEventLog, type ChangeEvent, type EventLog } from './eventLog.ts';
import { sampleTicketEvent } from './testing.ts';

const event = (i: number): ChangeEvent => sampleTicketEvent(`wo${i}`);

describe('the event log', () => {
  let log: EventLog;
  const prefix = `evt_${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    log = await openEventLog({ uri: inject('mongoUri'), dbPrefix: prefix });
  });
  afterAll(() => log.close());

  it('gives concurrent writers one gap-free order that readers can resume from', async () => {
    const start = await log.head();
    await Promise.all(Array.from({ length: 40 }, (_, i) => log.append(event(i))));
    const { events, gap } = await log.readAfter(start);
    expect(gap).toBe(false);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => start + i + 1));
    expect(new Set(events.map((e) => e.entityId)).size).toBe(40);
    const resumed = await log.readAfter(start + 25);
    expect(resumed.events.map((e) => e.seq)).toEqual(Array.from({ length: 15 }, (_, i) => start + 26 + i));
    expect((await log.readAfter(start + 40)).events).toEqual([]);
  });

  it('keeps one order when writers in separate processes race (separate connections)', async () => {
    const other = await openEventLog({ uri: inject('mongoUri'), dbPrefix: prefix });
    try {
      const start = await log.head();
      await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? other : log).append(event(i))));
      const { events } = await log.readAfter(start);
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 30 }, (_, i) => start + i + 1));
    } finally {
      await other.close();
    }
  });

  it('finds its head and "anything new?" by point lookups, across writers and after a trim', async () => {
    const db = `evt_${randomBytes(4).toString('hex')}`;
    const a = await openEventLog({ uri: inject('mongoUri'), dbPrefix: db });
    const b = await openEventLog({ uri: inject('mongoUri'), dbPrefix: db });
    try {
      expect(await a.head()).toBe(0);
      expect(await a.hasAfter(0)).toBe(false);
      for (let i = 0; i < 5; i++) await a.append(event(i));
      expect(await a.head()).toBe(5);
      // Another writer moves the log on by more than one: the head is found from where `a` last was.
      for (let i = 0; i < 37; i++) await b.append(event(100 + i));
      expect(await a.head()).toBe(42);
      expect(await a.hasAfter(41)).toBe(true);
      expect(await a.hasAfter(42)).toBe(false);
      // Trimmed past the last seq `a` knew of: still the true head.
      for (let i = 0; i < 3; i++) await b.append(event(200 + i));
      await b.trim({ maxEvents: 1 });
      expect(await a.head()).toBe(45);
      expect((await a.readAfter(0)).events.map((e) => e.seq)).toEqual([45]);
      expect(await a.hasAfter(43)).toBe(false);
      expect((await a.readAfter(43)).gap).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('trims the oldest events past the count limit and tells a reader behind them about the gap', async () => {
    const trimmed = await openEventLog({ uri: inject('mongoUri'), dbPrefix: `evt_${randomBytes(4).toString('hex')}` });
    try {
      for (let i = 0; i < 25; i++) await trimmed.append(event(i));
      expect(await trimmed.trim({ maxEvents: 10 })).toBe(15);
      expect(await trimmed.trim({ maxEvents: 10 })).toBe(0);
      const kept = await trimmed.readAfter(15);
      expect(kept.gap).toBe(false);
      expect(kept.events.map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 16 + i));
      // A cursor from before the trim can no longer be served without loss.
      const behind = await trimmed.readAfter(3);
      expect(behind.gap).toBe(true);
      // New appends continue the sequence after a trim.
      expect((await trimmed.append(event(99))).seq).toBe(26);
    } finally {
      await trimmed.close();
    }
  });

  it('trims by age, keeping everything younger than the cut-off', async () => {
    const aged = await openEventLog({ uri: inject('mongoUri'), dbPrefix: `evt_${randomBytes(4).toString('hex')}` });
    try {
      for (let i = 0; i < 6; i++) await aged.append(event(i));
      const firstBatchDone = Date.now();
      await new Promise((r) => setTimeout(r, 30));
      for (let i = 6; i < 10; i++) await aged.append(event(i));
      // Seen from an hour later, with a limit of an hour minus a moment: only the second batch is young enough.
      const now = new Date(firstBatchDone + 3600_000 + 15);
      expect(await aged.trim({ maxAgeMs: 3600_000 }, now)).toBe(6);
      expect((await aged.readAfter(6)).events.map((e) => e.seq)).toEqual([7, 8, 9, 10]);
      // A week later nothing is young enough, but the newest event stays so that seq goes on from it.
      expect(await aged.trim({ maxAgeMs: 3600_000 }, new Date(Date.now() + 7 * 24 * 3600_000))).toBe(3);
      expect(await aged.head()).toBe(10);
      expect((await aged.append(event(10))).seq).toBe(11);
    } finally {
      await aged.close();
    }
  });

  it('reads one tenant\'s events in order, of the types asked for, and tells a reader behind a trim', async () => {
    const feed = await openEventLog({ uri: inject('mongoUri'), dbPrefix: `evt_${randomBytes(4).toString('hex')}` });
    try {
      for (let i = 0; i < 12; i++) await feed.append({ ...event(i), tenantId: i % 3 === 0 ? 'other' : 'mine', type: i % 2 ? 'ticket.updated' : 'ticket.created' });
      const all = await feed.readTenantAfter('mine', 0);
      expect(all.events.map((e) => e.seq)).toEqual([2, 3, 5, 6, 8, 9, 11, 12]);
      expect(all.events.every((e) => e.tenantId === 'mine')).toBe(true);
      expect((await feed.readTenantAfter('mine', 6, { limit: 2 })).events.map((e) => e.seq)).toEqual([8, 9]);
      expect((await feed.readTenantAfter('mine', 0, { types: ['ticket.created'] })).events.map((e) => e.seq)).toEqual([3, 5, 9, 11]);
      expect((await feed.readTenantAfter('nobody', 0)).events).toEqual([]);
      await feed.trim({ maxEvents: 4 });
      expect((await feed.readTenantAfter('mine', 2)).gap).toBe(true);
      expect(await feed.readTenantAfter('mine', 8)).toMatchObject({ gap: false, events: [{ seq: 9 }, { seq: 11 }, { seq: 12 }] });
    } finally {
      await feed.close();
    }
  });
});
