/**
 * Webhook delivery: events appended to the event log (status changes of many work orders of one
 * tenant) and delivered, signed, to a local receiver that verifies every signature with the
 * `standardwebhooks` package. Prints the events per second delivered, the event-to-delivery
 * latency (from the event's log time to its arrival, p50/p95/p99) and checks that every event
 * arrived once, verified, and in order per work order.
 *
 *   npm run bench:webhooks [-- --events 3000 --entities 100 --rate 0] [-- --quick]
 *
 * `--rate` appends at that many events per second (0: as fast as the log takes them).
 */
import { Types } from 'mongoose';
import { newEvent, openEventLog } from '@wisp/events';
import { connectMongo } from '@wisp/shared';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import { startWebhookReceiver } from '../scripts/webhookReceiver.ts';
import { tenantId } from '../scripts/demoData.ts';
import { runBench, startBenchStack } from './lib/benchStack.ts';
import { arg, machineLine, percentile, QUICK } from './lib/stats.ts';

const EVENTS = Number(arg('events', QUICK ? '200' : '3000'));
const ENTITIES = Number(arg('entities', QUICK ? '20' : '100'));
const RATE = Number(arg('rate', '0'));

// The receiver is on this machine; the sender looks for due deliveries as often as the tests do.
process.env.WEBHOOKS_ALLOW_LOOPBACK = '1';
process.env.WEBHOOKS_POLL_MS ??= '100';

runBench(async () => {
  console.log(machineLine('start'));
  const stack = await startBenchStack();
  const receiver = await startWebhookReceiver({ keep: EVENTS });
  const log = await openEventLog(stack.mongo);
  try {
    const admin = await emulatorIdToken('admin@skyline.example', 'skyline');
    const created = await gql(
      stack.services.gatewayUrl,
      `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id } } }`,
      { input: { url: `${receiver.url}/bench`, eventTypes: ['ticket.statusChanged'], clientMutationId: `bench-${Date.now()}` } },
      { token: admin },
    );
    if (created.errors) throw new Error(JSON.stringify(created.errors));
    receiver.secrets.set('/bench', [created.data!.createWebhookEndpoint.secret]);
    await new Promise((r) => setTimeout(r, 50));

    const tenant = tenantId('skyline');
    const entities = Array.from({ length: ENTITIES }, () => new Types.ObjectId().toHexString());
    const statuses = ['IN_PROGRESS', 'SCHEDULED'];
    const started = performance.now();
    for (let i = 0; i < EVENTS; i++) {
      const entity = entities[i % ENTITIES]!;
      const change = Math.floor(i / ENTITIES);
      const to = statuses[change % 2]!;
      await log.append(
        newEvent('ticket.statusChanged', {
          tenantId: tenant,
          entityId: entity,
          kind: 'status_changed',
          workOrderId: entity,
          customerIds: [],
          internal: false,
          payload: { number: `SKY-B${i % ENTITIES}`, type: 'SUPPORT', status: to, priority: 'NORMAL', category: 'OTHER', reporterCustomerId: null, affectedCustomerIds: [], from: statuses[(change + 1) % 2]!, to, note: null, change },
        }),
      );
      if (RATE > 0) {
        const due = started + ((i + 1) * 1000) / RATE;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    }
    const appendedMs = performance.now() - started;
    const deadline = Date.now() + Math.max(60_000, EVENTS * 50);
    const arrived = () => new Set(receiver.verified().map((d) => d.id)).size;
    while (arrived() < EVENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const totalMs = performance.now() - started;

    const got = receiver.verified();
    const latencies = got.map((d) => Date.parse(d.receivedAt) - Date.parse(d.body.timestamp)).sort((a, b) => a - b);
    const unverified = receiver.all.filter((d) => !d.verified).length;
    const duplicates = got.length - new Set(got.map((d) => d.id)).size;
    // In order per work order: each one's `change` numbers arrive rising.
    let outOfOrder = 0;
    const last = new Map<string, number>();
    for (const d of got) {
      const change = d.body.data.change as number;
      if ((last.get(d.body.data.id) ?? -1) > change) outOfOrder++;
      last.set(d.body.data.id, change);
    }
    console.log(`events appended              ${EVENTS} over ${ENTITIES} work orders in ${(appendedMs / 1000).toFixed(2)} s (${(EVENTS / (appendedMs / 1000)).toFixed(0)}/s)`);
    console.log(`events delivered (verified)  ${arrived()} of ${EVENTS} in ${(totalMs / 1000).toFixed(2)} s`);
    console.log(`delivered per second         ${(arrived() / (totalMs / 1000)).toFixed(0)} events/s`);
    console.log(`event-to-delivery latency    p50 ${percentile(latencies, 50)} ms · p95 ${percentile(latencies, 95)} ms · p99 ${percentile(latencies, 99)} ms · max ${latencies.at(-1)} ms`);
    // Where the time goes: from the event to its delivery document (the fan-out), and from there to the receiver.
    const conn = await connectMongo('tenant', stack.mongo);
    try {
      // What one database round trip costs on this machine now: every delivery takes a few.
      const trips: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t0 = performance.now();
        await conn.db!.collection('webhook_endpoints').findOne({ _id: new Types.ObjectId() });
        trips.push(performance.now() - t0);
      }
      trips.sort((a, b) => a - b);
      console.log(`database round trip          p50 ${percentile(trips, 50).toFixed(1)} ms · p95 ${percentile(trips, 95).toFixed(1)} ms (a delivery takes about 4, its fan-out 2 per batch)`);
      const rows = await conn.db!.collection('webhook_deliveries').find({ endpointId: new Types.ObjectId(created.data!.createWebhookEndpoint.endpoint.id) }, { projection: { eventAt: 1, createdAt: 1, deliveredAt: 1, attempts: 1 } }).toArray();
      const fanOut = rows.map((r) => r.createdAt.getTime() - r.eventAt.getTime()).sort((a, b) => a - b);
      const send = rows.filter((r) => r.deliveredAt).map((r) => r.deliveredAt.getTime() - r.createdAt.getTime()).sort((a, b) => a - b);
      console.log(`  of which fan-out           p50 ${percentile(fanOut, 50)} ms · p95 ${percentile(fanOut, 95)} ms (event in the log → delivery made)`);
      console.log(`  of which sending           p50 ${percentile(send, 50)} ms · p95 ${percentile(send, 95)} ms (delivery made → receiver answered)`);
    } finally {
      await conn.close();
    }
    console.log(`unverified · duplicates · out of order per work order: ${unverified} · ${duplicates} · ${outOfOrder}`);
    if (arrived() < EVENTS || unverified || outOfOrder) throw new Error('not every event arrived once, verified and in order');
  } finally {
    await log.close();
    await receiver.stop();
    await stack.stop();
    console.log(machineLine('end'));
  }
});
