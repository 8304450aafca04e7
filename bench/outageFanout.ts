/**
 * Outage fan-out: an outage declared on a site with 5,000 customers, through the gateway as an
 * agent would. Prints the time from the declaration until every customer's email (and the text of
 * every customer who opted in to texts) is in the outbox, with the rate, and checks that nobody got
 * two of the same message.
 *
 *   npm run bench:outage-fanout [-- --customers 5000 --sms-share 0.2] [-- --quick]
 *
 * The customers are created with `upsertCustomers` (as a billing system would), so every service
 * learns of them from their events; the grouping window is 0 (each customer's first message
 * leaves as soon as it is planned), which is what this measures.
 */
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import { connectMongo } from '@wisp/shared';
import { tenantId } from '../scripts/demoData.ts';
import { runBench, startBenchStack } from './lib/benchStack.ts';
import { arg, machineLine, QUICK } from './lib/stats.ts';

const CUSTOMERS = Number(arg('customers', QUICK ? '500' : '5000'));
const SMS_SHARE = Number(arg('sms-share', '0.2'));

process.env.NOTIFICATION_GROUP_WINDOW_MS ??= '0';
process.env.NOTIFICATION_POLL_MS ??= '100';

runBench(async () => {
  console.log(machineLine('start'));
  const stack = await startBenchStack();
  const conn = await connectMongo('customer', stack.mongo);
  const outboxConn = await connectMongo('outbox', stack.mongo);
  try {
    const url = stack.services.gatewayUrl;
    const agent = await emulatorIdToken('agent@skyline.example', 'skyline');
    const site = `Bench Tower ${Date.now().toString(36)}`;
    const setupStarted = performance.now();
    for (let from = 0; from < CUSTOMERS; from += 500) {
      const rows = Array.from({ length: Math.min(500, CUSTOMERS - from) }, (_, i) => {
        const n = from + i;
        return { externalId: `bench-${n}`, accountNumber: `BENCH-${n}`, name: `Bench Customer ${n}`, email: `bench-${n}@example.com`, phone: `+1555${String(n).padStart(7, '0')}`, site, serviceStatus: 'ACTIVE' };
      });
      const r = await gql(url, `mutation($rows: [CustomerUpsertInput!]!) { upsertCustomers(rows: $rows) { ok } }`, { rows }, { token: agent });
      if (r.errors || !(r.data!.upsertCustomers as { ok: boolean }[]).every((x) => x.ok)) throw new Error(JSON.stringify(r.errors ?? r.data).slice(0, 500));
    }
    // A share of them opted in to texts (in the portal, normally; set here directly).
    const smsCount = Math.round(CUSTOMERS * SMS_SHARE);
    const customers = conn.collection('customers');
    const optedIn = await customers.find({ site }, { projection: { _id: 1 } }).limit(smsCount).toArray();
    await customers.updateMany({ _id: { $in: optedIn.map((c) => c._id) } }, { $set: { 'contactPreferences.sms': true } });
    console.log(`setup: ${CUSTOMERS} customers at one site (${smsCount} opted in to texts) in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);
    // Every service has seen the customers before the outage is declared.
    await new Promise((r) => setTimeout(r, 2000));

    const started = performance.now();
    const created = await gql(url, `mutation($input: CreateOutageInput!) { createOutage(input: $input) { id } }`, { input: { title: 'Backhaul down', description: 'The tower lost its uplink.', site, clientMutationId: `bench-${Date.now()}` } }, { token: agent });
    if (created.errors) throw new Error(JSON.stringify(created.errors));
    const outageId = created.data!.createOutage.id as string;
    const tenant = tenantId('skyline');
    const emails = outboxConn.collection('emails');
    const texts = outboxConn.collection('sms');
    const notifications = conn.collection('notifications');
    const expected = CUSTOMERS + smsCount;
    let firstAt = 0;
    let done = 0;
    for (;;) {
      done = await notifications.countDocuments({ workOrderId: outageId, kind: 'outage-created', status: { $in: ['SENT', 'FAILED'] } });
      if (done && !firstAt) firstAt = performance.now();
      if (done >= expected) break;
      if (performance.now() - started > 15 * 60_000) throw new Error(`only ${done} of ${expected} messages after 15 minutes`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const seconds = (performance.now() - started) / 1000;
    const mailed = await emails.countDocuments({ tenantId: tenant, kind: 'notification-outage-created', to: /^bench-/ });
    const texted = await texts.countDocuments({ tenantId: tenant, kind: 'notification-outage-created' }).catch(() => 0);
    const failed = await notifications.countDocuments({ workOrderId: outageId, status: 'FAILED' });
    console.log(`outage on a site with ${CUSTOMERS} customers: ${done} messages (${mailed} emails, ${texted} texts${failed ? `, ${failed} failed` : ''}) in the outbox after ${seconds.toFixed(1)} s`);
    console.log(`rate: ${(done / seconds).toFixed(0)} messages/s; first message after ${((firstAt - started) / 1000).toFixed(2)} s`);
    console.log(`each customer once: ${mailed === CUSTOMERS ? 'yes' : `no (${mailed} emails for ${CUSTOMERS} customers)`}`);
    console.log(machineLine('end'));
  } finally {
    await conn.close();
    await outboxConn.close();
    await stack.stop();
  }
});
