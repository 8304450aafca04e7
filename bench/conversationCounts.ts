/**
 * The portal's ticket list (each ticket's unread count, message count and newest message) for 50
 * tickets whose conversations hold 1 message each, then 40: the list reads per-ticket summaries,
 * so the messaging documents it reads and its latency should not grow with the conversations.
 *
 *   npx tsx bench/conversationCounts.ts    # own embedded database and auth emulator
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectMongo } from '@wisp/shared';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import { recordMessage } from '@wisp/subgraph-messaging/conversationSummary';
import { createModels as messagingModels } from '@wisp/subgraph-messaging/models';
import { createModels as workOrderModels } from '@wisp/subgraph-work-order/models';
import { Types } from 'mongoose';
import { customerId, tenantId } from '../scripts/demoData.ts';
import { announceWorkOrders, seedDemo } from '../scripts/seed.ts';
import { untilMessagingKnows } from '../tests/readModels.ts';
import { startInfra, startServices } from '../scripts/stack.ts';
import { BENCH_RATE_LIMITS } from './lib/rateLimits.ts';

const LIST = `{ viewer { customer { tickets(first: 50) { edges { node { number status unreadCount messageCount lastMessage { body } } } } } } }`;
const ROUNDS = 20;
const TICKETS = 48;

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'wisp-bench-'));
  const infra = await startInfra({ dataDir });
  const mongo = { uri: infra.mongoUri, dbPrefix: `bench_${Date.now().toString(36)}` };
  let counting = false;
  let commands = 0;
  let messagingCommands = 0;
  const services = await startServices({
    mongoUri: mongo.uri,
    dbPrefix: mongo.dbPrefix,
    identitySecret: randomBytes(32).toString('base64url'),
    projectId: infra.projectId,
    rateLimits: BENCH_RATE_LIMITS,
    onCommand: (e) => {
      if (!counting || e.databaseName.endsWith('_events')) return;
      commands++;
      if (e.databaseName.endsWith('_messaging')) messagingCommands++;
    },
  });
  const [wc, mc] = await Promise.all([connectMongo('work-order', mongo), connectMongo('messaging', mongo)]);
  try {
    await seedDemo({ mongo });
    const token = await emulatorIdToken('alice@skyline.example', 'skyline');
    const tid = new Types.ObjectId(tenantId('skyline'));
    const me = new Types.ObjectId(customerId('skyline', 'alice'));
    const orders = Array.from({ length: TICKETS }, (_, i) => ({
      _id: new Types.ObjectId(), tenantId: tid, number: `SKY-${6000 + i}`, seq: 6000 + i,
      title: `Bench ticket ${i}`, category: 'OTHER', type: 'SUPPORT', status: 'OPEN', reporterCustomerId: me,
    }));
    const { WorkOrder } = workOrderModels(wc);
    await WorkOrder.insertMany(orders);
    await announceWorkOrders(mongo, WorkOrder);
    await untilMessagingKnows(mongo, orders.map((o) => o._id));
    const addMessages = async (perTicket: number) => {
      const rows = await messagingModels(mc).Message.insertMany(
        orders.flatMap((o) =>
          Array.from({ length: perTicket }, (_, k) =>
            k % 2
              ? { tenantId: tid, workOrderId: o._id, body: `Reply ${k} on ${o.number}`, authorKind: 'AGENT', authorUid: 'agent', authorName: 'Support', internal: k % 4 === 3 }
              : { tenantId: tid, workOrderId: o._id, body: `About ${o.number} (${k})`, authorKind: 'CUSTOMER', authorCustomerId: me, authorUid: 'alice', authorName: 'Alice Nguyen' },
          ),
        ),
      );
      for (const m of rows) await recordMessage(mc.db!, m);
    };
    const measure = async () => {
      await gql(services.gatewayUrl, LIST, {}, { token });
      commands = messagingCommands = 0;
      counting = true;
      await gql(services.gatewayUrl, LIST, {}, { token });
      counting = false;
      const perRequest = { commands, messagingCommands };
      const times: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const start = performance.now();
        await gql(services.gatewayUrl, LIST, {}, { token });
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      return { ...perRequest, median: times[Math.floor(times.length / 2)]!, p90: times[Math.floor(times.length * 0.9)]! };
    };
    await addMessages(1);
    const small = await measure();
    await addMessages(39);
    const large = await measure();
    for (const [label, m] of [['1 message each ', small], ['40 messages each', large]] as const) {
      process.stdout.write(`${TICKETS + 2} tickets, ${label}: ${m.commands} database commands (${m.messagingCommands} messaging), median ${m.median.toFixed(1)} ms, p90 ${m.p90.toFixed(1)} ms\n`);
    }
    process.stdout.write(`ratio 40/1 messages: commands ${(large.commands / small.commands).toFixed(2)}, median latency ${(large.median / small.median).toFixed(2)}\n`);
  } finally {
    await Promise.all([wc.close(), mc.close()]);
    await services.stop();
    await infra.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`benchmark failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
