import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openEventLog, type ChangeEvent, type EventLog } from './eventLog.ts';

const event = (i: number): ChangeEvent => ({
  tenantId: 't1',
  entity: 'WorkOrder',
  entityId: `wo${i}`,
  kind: 'updated',
  workOrderId: `wo${i}`,
  customerIds: ['c1'],
  internal: false,
});

describe('the event log', () => {
  let log: EventLog;
  beforeAll(async () => {
    log = await openEventLog({ uri: inject('mongoUri'), dbPrefix: `evt_${randomBytes(4).toString('hex')}` });
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
});
