/**
 * Subscription benchmark: 10, 100, 1,000 and 10,000 concurrent graphql-ws subscribers on a local stack
 * (embedded database, auth emulator, four subgraphs, one gateway), while work orders change at a
 * fixed rate through the subgraphs' models and the shared event log, as the subgraphs do it.
 * Prints delivery latency (event appended -> payload received) p50/p95/max, delivered/expected,
 * the gateway's memory per connection (heap + external of the process running the stack, after a
 * forced GC; the subscribers run in child processes, at most `--per-process` each), and
 * p95(largest)/p95(smallest). 10,000 connections need about as many file descriptors in the
 * gateway's process (`ulimit -n` ≥ 12000).
 *
 *   npm run bench:subscriptions [-- --rate 5 --seconds 10 --sizes 10,100,1000,10000] [-- --quick]
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { quietInfoLogs } from '../lib/benchStack.ts';
import { BENCH_RATE_LIMITS } from '../lib/rateLimits.ts';
import { machineLine, QUICK } from '../lib/stats.ts';
import { join } from 'node:path';
import { emulatorIdToken } from '@wisp/shared/testing';
import { seedDemo } from '../../scripts/seed.ts';
import { startInfra, startServices } from '../../scripts/stack.ts';
import { customerId, tenantId, workOrderId } from '../../scripts/demoData.ts';
import { openWriter } from '../../tests/live.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const RATE = Number(arg('rate', '5'));
const SECONDS = Number(arg('seconds', QUICK ? '3' : '10'));
const SIZES = arg('sizes', QUICK ? '10,200' : '10,100,1000,10000').split(',').map(Number);
/** Subscribers per client process (each connection costs the client too). */
const PER_PROCESS = Number(arg('per-process', QUICK ? '100' : '2500'));
/** Connections a client process opens at once. */
const BATCH = Number(arg('batch', '50'));

interface Who {
  email: string;
  slug: string;
  field: 'myWorkOrdersChanged' | 'queueChanged';
  customer?: string;
}
const WHO: Who[] = [];
for (const slug of ['skyline', 'prairie']) {
  for (const key of ['alice', 'bob', 'carol']) {
    WHO.push({ email: key === 'carol' ? 'carol@shared.example' : `${key}@${slug}.example`, slug, field: 'myWorkOrdersChanged', customer: customerId(slug, key) });
  }
  WHO.push({ email: `agent@${slug}.example`, slug, field: 'queueChanged' }, { email: `admin@${slug}.example`, slug, field: 'queueChanged' });
}
const TARGETS = ['skyline', 'prairie'].flatMap((slug) => [1001, 1002, 1003, 1004].map((n) => workOrderId(slug, n)));
const STATUSES = ['OPEN', 'IN_PROGRESS', 'SCHEDULED', 'EN_ROUTE', 'ON_SITE'];

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  console.log(machineLine('start'));
  if (!process.env.BENCH_VERBOSE) quietInfoLogs();
  const dataDir = mkdtempSync(join(tmpdir(), 'wisp-bench-'));
  const infra = await startInfra({ dataDir });
  const dbPrefix = `bench_${Date.now().toString(36)}`;
  const services = await startServices({ mongoUri: infra.mongoUri, dbPrefix, identitySecret: randomBytes(32).toString('base64url'), projectId: infra.projectId, rateLimits: BENCH_RATE_LIMITS });
  const mongo = { uri: infra.mongoUri, dbPrefix };
  await seedDemo({ mongo });
  const writer = await openWriter(mongo);
  const tokens = await Promise.all(WHO.map((w) => emulatorIdToken(w.email, w.slug)));
  const wsUrl = services.gatewayUrl.replace(/^http/, 'ws');
  const rows: Record<string, string | number>[] = [];
  const p95s = new Map<number, number>();
  const incomplete: string[] = [];
  try {
    for (const size of SIZES) {
      gc();
      await sleep(300);
      const before = process.memoryUsage();
      const who = Array.from({ length: size }, (_, i) => i % WHO.length);
      const after = String(await writer.head());
      const children = Array.from({ length: Math.ceil(size / PER_PROCESS) }, () =>
        fork(new URL('./clients.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
      );
      const ask = <T>(child: (typeof children)[number], type: string, payload: object = {}) =>
        new Promise<T>((resolve) => {
          child.once('message', (m: T) => resolve(m));
          child.send({ type, ...payload });
        });
      const askAll = <T>(type: string, payload: (i: number) => object = () => ({})) => Promise.all(children.map((c, i) => ask<T>(c, type, payload(i))));
      await askAll<{ type: 'ready' }>('start', (p) => ({
        url: wsUrl,
        after,
        offset: p * PER_PROCESS,
        batch: BATCH,
        subscribers: who.slice(p * PER_PROCESS, (p + 1) * PER_PROCESS).map((w) => ({ token: tokens[w]!, field: WHO[w]!.field })),
      }));
      await sleep(1_500 + size / 3); // let every subscription finish its (empty) catch-up
      gc();
      const connected = process.memoryUsage();

      // Changes at a fixed rate, each a real document change plus its event.
      const sentAt = new Map<number, { at: number; tenant: string; customers: string[] }>();
      const total = Math.round(RATE * SECONDS);
      const t0 = performance.now();
      for (let i = 0; i < total; i++) {
        const due = t0 + (i * 1000) / RATE;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const target = TARGETS[i % TARGETS.length]!;
        const at = performance.timeOrigin + performance.now();
        const e = await writer.updateWorkOrder(target, { status: STATUSES[i % STATUSES.length] }, 'status_changed');
        sentAt.set(e.seq, { at, tenant: e.tenantId, customers: e.customerIds });
      }
      const expected = new Map<number, Set<number>>(); // subscriber -> seqs
      let expectedCount = 0;
      who.forEach((w, i) => {
        const me = WHO[w]!;
        const seqs = new Set<number>();
        for (const [seq, e] of sentAt) {
          if (e.tenant !== tenantId(me.slug)) continue;
          if (me.customer && !e.customers.includes(me.customer)) continue;
          seqs.add(seq);
        }
        expected.set(i, seqs);
        expectedCount += seqs.size;
      });
      // Wait for the stragglers (at most 10 s after the last change, more for many subscribers).
      type Report = { deliveries: [number, number, number][]; errors: string[]; errorCount: number };
      let report: Report;
      const deadline = Date.now() + 10_000 + size * 5;
      for (;;) {
        const parts = await askAll<Report>('report');
        report = { deliveries: parts.flatMap((p) => p.deliveries), errors: parts.flatMap((p) => p.errors).slice(0, 5), errorCount: parts.reduce((n, p) => n + p.errorCount, 0) };
        if (report.deliveries.length >= expectedCount || Date.now() > deadline) break;
        await sleep(250);
      }
      const latencies: number[] = [];
      let delivered = 0;
      let unexpected = 0;
      let outOfOrder = 0;
      const seen = new Map<number, number>();
      for (const [sub, seq, at] of report.deliveries) {
        if (!expected.get(sub)?.has(seq)) {
          unexpected++;
          continue;
        }
        if ((seen.get(sub) ?? 0) >= seq) outOfOrder++;
        seen.set(sub, seq);
        delivered++;
        latencies.push(at - sentAt.get(seq)!.at);
      }
      latencies.sort((a, b) => a - b);
      const p95 = pct(latencies, 95);
      p95s.set(size, p95);
      if (delivered < expectedCount) incomplete.push(`${size} (${expectedCount - delivered} missing)`);
      rows.push({
        subscribers: size,
        events: total,
        'delivered/expected': `${delivered}/${expectedCount} (${((100 * delivered) / Math.max(1, expectedCount)).toFixed(1)} %)`,
        'unexpected/dup': unexpected,
        'out of order': outOfOrder,
        'p50 ms': pct(latencies, 50).toFixed(0),
        'p95 ms': p95.toFixed(0),
        'max ms': (latencies.at(-1) ?? NaN).toFixed(0),
        'heap KiB/conn': ((connected.heapUsed + connected.external - before.heapUsed - before.external) / 1024 / size).toFixed(1),
        errors: report.errorCount,
      });
      if (report.errorCount) console.error('client errors (first few):', report.errors);
      await Promise.all(children.map((c) => new Promise((r) => (c.once('exit', r), c.send({ type: 'stop' })))));
      await sleep(1_000);
    }
  } finally {
    await writer.close();
    await services.stop();
    await infra.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`\nSubscription benchmark: ${RATE} changes/s for ${SECONDS} s per size; ${WHO.length} identities (customers on myWorkOrdersChanged, staff on queueChanged), one connection per subscriber.`);
  console.log(`Machine: ${cpus().length} cores, load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}; subscribers spread over client processes of at most ${PER_PROCESS}.`);
  console.table(rows);
  const small = p95s.get(Math.min(...SIZES));
  const large = p95s.get(Math.max(...SIZES));
  if (small && large) console.log(`p95(${Math.max(...SIZES)}) / p95(${Math.min(...SIZES)}) = ${(large / small).toFixed(2)}`);
  console.log(incomplete.length ? `delivery INCOMPLETE (target 100 %) at: ${incomplete.join(', ')}` : 'delivery: 100 % at every size (target 100 %)');
  console.log(machineLine('end'));
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
