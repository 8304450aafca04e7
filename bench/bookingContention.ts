/**
 * Booking contention: N customers, each with a ticket that needs a visit, book one of M slots all at
 * once through the gateway (customer i takes slot i mod M; every slot has C crews). Prints how many
 * bookings won, how many were refused as full (conflicts), how many seats are held beyond a slot's
 * capacity in the database afterwards (overbookings: must be 0), and the latency of the bookings.
 *
 *   npm run bench:booking [-- --customers 200 --slots 5 --crews 2] [-- --quick]
 *
 * Capacity is enforced by a unique index on (tenant, slot, crew): no transaction, no lock.
 */
import { randomUUID } from 'node:crypto';
import { claimsFor, connectMongo, firebaseAuth, Role } from '@wisp/shared';
import { authTenantIdFor, emulatorIdToken, gql } from '@wisp/shared/testing';
import { tenantId } from '../scripts/demoData.ts';
import { runBench, startBenchStack } from './lib/benchStack.ts';
import { arg, machineLine, percentile, QUICK } from './lib/stats.ts';

const CUSTOMERS = Number(arg('customers', QUICK ? '40' : '200'));
const SLOTS = Number(arg('slots', QUICK ? '2' : '5'));
const CREWS = Number(arg('crews', '2'));
const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

/** Runs `fn` over `items` with at most `n` at a time. */
async function pool<T, R>(items: T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  }));
  return out;
}

runBench(async () => {
  console.log(machineLine('start'));
  const stack = await startBenchStack();
  const conn = await connectMongo('work-order', stack.mongo);
  try {
    const url = stack.services.gatewayUrl;
    const [admin, agent] = await Promise.all([emulatorIdToken('admin@skyline.example', 'skyline'), emulatorIdToken('agent@skyline.example', 'skyline')]);
    const capacity = await gql(url, `mutation($input: VisitCapacityInput!) { updateVisitCapacity(input: $input) { crews { id } } }`, {
      input: {
        slots: DAYS.flatMap((weekday) => [['08:00', '10:00'], ['10:00', '12:00'], ['13:00', '15:00'], ['15:00', '17:00']].map(([start, end]) => ({ weekday, start, end }))),
        crews: Array.from({ length: CREWS }, (_, i) => ({ id: `crew-${i + 1}`, name: `Crew ${i + 1}` })),
        leadTimeHours: 24,
        cutoffHours: 24,
      },
    }, { token: admin });
    if (capacity.errors) throw new Error(JSON.stringify(capacity.errors));

    // Customers (as a billing system would add them), their logins, and a ticket each.
    const setupStarted = performance.now();
    const run = Date.now().toString(36);
    const rows = Array.from({ length: CUSTOMERS }, (_, n) => ({ externalId: `book-${run}-${n}`, accountNumber: `BOOK-${run}-${n}`, name: `Booking Customer ${n}`, site: 'Ridge Tower', serviceStatus: 'ACTIVE' }));
    const ids: string[] = [];
    for (let from = 0; from < rows.length; from += 500) {
      const r = await gql(url, `mutation($rows: [CustomerUpsertInput!]!) { upsertCustomers(rows: $rows) { ok customer { id } } }`, { rows: rows.slice(from, from + 500) }, { token: agent });
      if (r.errors) throw new Error(JSON.stringify(r.errors).slice(0, 500));
      ids.push(...(r.data!.upsertCustomers as { customer: { id: string } }[]).map((x) => x.customer.id));
    }
    const auth = firebaseAuth().tenantManager().authForTenant(await authTenantIdFor('skyline'));
    const tenant = tenantId('skyline');
    const tokens = await pool(ids, 10, async (customerId, n) => {
      const email = `book-${run}-${n}@example.com`;
      const { uid } = await auth.createUser({ email, password: 'demo-password', emailVerified: true });
      await auth.setCustomUserClaims(uid, claimsFor({ role: Role.CUSTOMER, tenantId: tenant, customerId }));
      return emulatorIdToken(email, 'skyline');
    });
    const tickets = await pool(tokens, 10, async (token) => {
      const r = await gql(url, `mutation($input: OpenTicketInput!) { openTicket(input: $input) { id } }`, { input: { title: 'Dish installation', description: 'New service.', category: 'INSTALLATION', clientMutationId: randomUUID() } }, { token });
      if (r.errors) throw new Error(JSON.stringify(r.errors));
      return r.data!.openTicket.id as string;
    });
    const slots = await gql(url, `query($id: ID!) { visitSlots(workOrderId: $id, days: 14) { id start available } }`, { id: tickets[0] }, { token: tokens[0] });
    if (slots.errors) throw new Error(JSON.stringify(slots.errors));
    const chosen = (slots.data!.visitSlots as { id: string; start: string }[]).slice(0, SLOTS);
    console.log(`setup: ${CUSTOMERS} customers with a login and a ticket, ${chosen.length} slots × ${CREWS} crews = ${chosen.length * CREWS} seats, in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);

    // Customers are signed in and looking at their ticket when they book: each login has been
    // seen by the gateway once, so what is measured is the booking, not a first sign-in.
    await pool(tickets, 10, async (id, i) => {
      const r = await gql(url, `query($id: ID!) { workOrder(id: $id) { id visitNeeded } }`, { id }, { token: tokens[i] });
      if (r.errors) throw new Error(JSON.stringify(r.errors));
    });
    // The yardstick: the same customers reading their ticket all at once, on the same machine now.
    const READ = `query($id: ID!) { workOrder(id: $id) { id status visit { start } } }`;
    const reads = await Promise.all(
      tickets.map(async (id, i) => {
        const t = performance.now();
        const r = await gql(url, READ, { id }, { token: tokens[i] });
        if (r.errors) throw new Error(JSON.stringify(r.errors));
        return performance.now() - t;
      }),
    );
    const readMs = reads.sort((a, b) => a - b);

    // All at once: every request is sent before any answer is read.
    const BOOK = `mutation($input: BookVisitInput!) { bookVisit(input: $input) { id } }`;
    const started = performance.now();
    const results = await Promise.all(
      tickets.map(async (id, i) => {
        const t = performance.now();
        const r = await gql(url, BOOK, { input: { workOrderId: id, slotId: chosen[i % chosen.length]!.id, clientMutationId: randomUUID() } }, { token: tokens[i] });
        return { ms: performance.now() - t, reason: r.errors ? String((r.errors[0]!.extensions as { reason?: string; code?: string })?.reason ?? (r.errors[0]!.extensions as { code?: string })?.code) : null };
      }),
    );
    const wall = performance.now() - started;
    const won = results.filter((r) => r.reason === null).length;
    const conflicts = results.filter((r) => r.reason === 'SLOT_FULL').length;
    const other = results.filter((r) => r.reason !== null && r.reason !== 'SLOT_FULL');

    // What the database holds afterwards, slot by slot.
    const held = await conn.collection('visitbookings').aggregate<{ _id: Date; n: number }>([{ $match: { active: true, slotStart: { $in: chosen.map((s) => new Date(s.start)) } } }, { $group: { _id: '$slotStart', n: { $sum: 1 } } }]).toArray();
    const overbookings = held.reduce((sum, h) => sum + Math.max(0, h.n - CREWS), 0);
    const heldTotal = held.reduce((sum, h) => sum + h.n, 0);
    const ms = results.map((r) => r.ms).sort((a, b) => a - b);

    console.log(`\nBooking contention: ${CUSTOMERS} customers booking ${chosen.length} slots (${CREWS} crews each) at once`);
    console.table({
      bookings: { value: CUSTOMERS },
      won: { value: won },
      'conflicts (SLOT_FULL)': { value: conflicts },
      'other errors': { value: other.length },
      'seats held': { value: heldTotal },
      'overbookings (must be 0)': { value: overbookings },
      'p50 latency (ms)': { value: Number(percentile(ms, 50).toFixed(1)) },
      'p95 latency (ms)': { value: Number(percentile(ms, 95).toFixed(1)) },
      'max latency (ms)': { value: Number(ms.at(-1)!.toFixed(1)) },
      'all answered in (ms)': { value: Number(wall.toFixed(1)) },
      'p95 of as many concurrent ticket reads (ms)': { value: Number(percentile(readMs, 95).toFixed(1)) },
      'booking p95 / read p95': { value: Number((percentile(ms, 95) / percentile(readMs, 95)).toFixed(2)) },
    });
    if (other.length) console.log('other errors:', [...new Set(other.map((o) => o.reason))].join(', '));
    console.log(machineLine('end'));
    if (overbookings !== 0 || won !== heldTotal || won !== Math.min(CUSTOMERS, chosen.length * CREWS)) throw new Error(`capacity broken: won ${won}, held ${heldTotal}, overbookings ${overbookings}`);
  } finally {
    await conn.close();
    await stack.stop();
  }
});
