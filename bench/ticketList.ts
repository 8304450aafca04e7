/**
 * A customer's ticket list across the four subgraphs (reporter, conversation, counts, authors):
 * database commands and latency with 10 and with 100 tickets, side by side. Batched entity
 * loading keeps the command count flat; the ratio line is what to compare between runs.
 *
 *   npx tsx bench/ticketList.ts            # own embedded database and auth emulator
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
import { seedDemo } from '../scripts/seed.ts';
import { startInfra, startServices } from '../scripts/stack.ts';

const LIST = `{ viewer { customer { tickets(first: 100) { edges { node { number status customer { name } messageCount unreadCount lastMessage { body } messages(first: 5) { edges { node { body author { name } } } } } } } } } }`;
const ROUNDS = 20;

async function addTickets(mongo: { uri: string; dbPrefix: string }, n: number, from: number) {
  const [wc, mc] = await Promise.all([connectMongo('work-order', mongo), connectMongo('messaging', mongo)]);
  try {
    const tid = new Types.ObjectId(tenantId('skyline'));
    const me = new Types.ObjectId(customerId('skyline', 'alice'));
    const orders = Array.from({ length: n }, (_, i) => ({
      _id: new Types.ObjectId(), tenantId: tid, number: `SKY-${5000 + from + i}`, seq: 5000 + from + i,
      title: `Bench ticket ${from + i}`, category: 'OTHER', type: 'SUPPORT', status: 'OPEN', reporterCustomerId: me,
    }));
    await workOrderModels(wc).WorkOrder.insertMany(orders);
    const messages = await messagingModels(mc).Message.insertMany(
      orders.map((o) => ({ tenantId: tid, workOrderId: o._id, body: `About ${o.number}`, authorKind: 'CUSTOMER', authorCustomerId: me, authorUid: 'alice', authorName: 'Alice Nguyen' })),
    );
    // As the messaging subgraph does for every message it stores.
    for (const m of messages) await recordMessage(mc.db!, m);
  } finally {
    await Promise.all([wc.close(), mc.close()]);
  }
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'wisp-bench-'));
  const infra = await startInfra({ dataDir });
  const mongo = { uri: infra.mongoUri, dbPrefix: `bench_${Date.now().toString(36)}` };
  let counting = false;
  let commands = 0;
  const services = await startServices({
    mongoUri: mongo.uri,
    dbPrefix: mongo.dbPrefix,
    identitySecret: randomBytes(32).toString('base64url'),
    projectId: infra.projectId,
    onCommand: (e) => {
      // The gateway's event-log tail polls on its own clock; it is no part of the list.
      if (counting && !e.databaseName.endsWith('_events')) commands++;
    },
  });
  try {
    await seedDemo({ mongo });
    const token = await emulatorIdToken('alice@skyline.example', 'skyline');
    const measure = async () => {
      await gql(services.gatewayUrl, LIST, {}, { token });
      commands = 0;
      counting = true;
      const r = await gql(services.gatewayUrl, LIST, {}, { token });
      counting = false;
      const perRequest = commands;
      const start = performance.now();
      for (let i = 0; i < ROUNDS; i++) await gql(services.gatewayUrl, LIST, {}, { token });
      return { tickets: r.data!.viewer.customer.tickets.edges.length as number, commands: perRequest, ms: (performance.now() - start) / ROUNDS };
    };
    await addTickets(mongo, 8, 0);
    const ten = await measure();
    await addTickets(mongo, 90, 8);
    const hundred = await measure();
    for (const m of [ten, hundred]) process.stdout.write(`${String(m.tickets).padStart(3)} tickets: ${m.commands} database commands, ${m.ms.toFixed(1)} ms per request\n`);
    process.stdout.write(`ratio 100/10: commands ${(hundred.commands / ten.commands).toFixed(2)}, latency ${(hundred.ms / ten.ms).toFixed(2)}\n`);
  } finally {
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
