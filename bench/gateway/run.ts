/**
 * Gateway comparison: the project's gateway, stock Apollo Gateway (in Apollo Server, a
 * RemoteGraphQLDataSource adding the same signed identity headers) and Hive Gateway (the same
 * headers from a plugin), each in its own process in front of the same subgraphs and supergraph.
 * A customer's home page and an agent's queue page are sent over a fixed number of keep-alive
 * connections from a separate client process, in interleaved rounds (the order rotates each
 * round). Prints requests/s and p95 per gateway (median and min–max over the rounds) and the
 * ratios project/apollo and project/hive, computed per round and then summarised. Before measuring,
 * every gateway must give the same answer, and give three customers asking at once each their own
 * (Hive's sharing of identical in-flight subgraph calls is turned off: keyed without the signed
 * identity headers, it answered every customer with the first one's data).
 *
 *   npm run bench:gateway [-- --rounds 5 --requests 600 --concurrency 10] [-- --quick]
 */
import { readFileSync } from 'node:fs';
import { emulatorIdToken } from '@wisp/shared/testing';
import { addWorkOrders } from '../lib/workOrders.ts';
import { runBench, startBenchStack } from '../lib/benchStack.ts';
import { p95Of, rpsOf, startLoadProcess } from '../lib/loadProcess.ts';
import { arg, machineLine, median, QUICK, rotated, spread } from '../lib/stats.ts';
import { startChildGateway, type ChildGateway } from './gateways.ts';
import type { GatewayKind } from './gatewayProcess.ts';
import { CUSTOMER_HOME, STAFF_QUEUE } from './operations.ts';

const ROUNDS = Number(arg('rounds', QUICK ? '2' : '5'));
const REQUESTS = Number(arg('requests', QUICK ? '40' : '600'));
const WARMUP = Number(arg('warmup', QUICK ? '10' : '60'));
const CONCURRENCY = Number(arg('concurrency', '10'));
const KINDS: GatewayKind[] = ['project', 'apollo', 'hive'];

/** CPU time (user + system) a process has used so far, from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}


runBench(async () => {
  console.log(machineLine('start'));
  const stack = await startBenchStack();
  const gateways: ChildGateway[] = [];
  const load = startLoadProcess();
  try {
    // A customer with a full first page of tickets, each with a short conversation.
    await addWorkOrders(stack.mongo, { count: 25, from: 0, customer: 'alice', messagesEach: 3 });
    const tokens = { customer: await emulatorIdToken('alice@skyline.example', 'skyline'), staff: await emulatorIdToken('agent@skyline.example', 'skyline') };
    const ops = [
      { name: 'customer home (viewer → customer → tickets(first: 20) → counts, lastMessage)', query: CUSTOMER_HOME, token: tokens.customer },
      { name: 'staff queue (workOrderQueue(first: 50) → customer, assignee; staffMembers; customers(first: 20))', query: STAFF_QUEUE, token: tokens.staff },
    ];
    for (const kind of KINDS) {
      gateways.push(
        await startChildGateway({ kind, subgraphUrls: stack.services.subgraphUrls, identitySecret: stack.identitySecret, projectId: stack.infra.projectId, emulatorHost: stack.infra.emulatorHost, eventLog: stack.mongo }),
      );
    }

    // Every gateway must give the same, error-free answer, or the comparison means nothing.
    for (const op of ops) {
      const answers = await Promise.all(
        gateways.map(async (g) => {
          const res = await fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${op.token}` }, body: JSON.stringify({ query: op.query }) });
          const body = (await res.json()) as { data?: unknown; errors?: unknown };
          if (res.status !== 200 || body.errors) throw new Error(`${g.kind} answered ${op.name} with HTTP ${res.status}: ${JSON.stringify(body).slice(0, 500)}\n${g.log().slice(-1500)}`);
          // The data byte-equal (same fields, same order); extensions are each gateway's own (the project's carries the request's cost).
          return JSON.stringify(body.data);
        }),
      );
      answers.forEach((a, i) => {
        if (a !== answers[0]) throw new Error(`${gateways[i]!.kind} and ${gateways[0]!.kind} disagree on ${op.name}`);
      });
    }

    // Each caller gets their own answer while others ask the same at the same moment (a gateway
    // that shared one subgraph answer among identical calls would fail here).
    const customers = await Promise.all(['alice@skyline.example', 'bob@skyline.example', 'carol@shared.example'].map((e) => emulatorIdToken(e, 'skyline')));
    for (const g of gateways) {
      const uidOf = async (token: string) => {
        const res = await fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: CUSTOMER_HOME }) });
        const body = (await res.json()) as { data?: { viewer?: { uid: string; customer: { id: string } | null } } };
        return `${body.data?.viewer?.uid}/${body.data?.viewer?.customer?.id}`;
      };
      const own = await Promise.all(customers.map(uidOf));
      for (let round = 0; round < 10; round++) {
        const answers = await Promise.all(Array.from({ length: 12 }, (_, k) => uidOf(customers[k % 3]!)));
        const mixed = answers.filter((a, k) => a !== own[k % 3]).length;
        if (mixed) throw new Error(`${g.kind} answered ${mixed} of 12 concurrent customers with another caller's data`);
      }
    }

    type Cell = { rps: number[]; p95: number[]; cpu: number[]; failures: number };
    const results = new Map<string, Cell>(); // `${op}|${kind}`
    const cell = (op: string, kind: string) => {
      const key = `${op}|${kind}`;
      if (!results.has(key)) results.set(key, { rps: [], p95: [], cpu: [], failures: 0 });
      return results.get(key)!;
    };
    for (let round = 0; round < ROUNDS; round++) {
      for (const op of ops) {
        for (const g of rotated(gateways, round)) {
          const cpuBefore = cpuMs(g.pid);
          const r = await load.run({ url: g.url, body: JSON.stringify({ query: op.query }), headers: { authorization: `Bearer ${op.token}` }, concurrency: CONCURRENCY, requests: REQUESTS, warmup: WARMUP });
          const c = cell(op.name, g.kind);
          c.rps.push(rpsOf(r));
          c.p95.push(p95Of(r));
          c.cpu.push((cpuMs(g.pid) - cpuBefore) / (REQUESTS + WARMUP));
          c.failures += r.failures;
          if (r.failures) console.error(`${g.kind}, ${op.name}: ${r.failures} failed, e.g. ${r.samples[0]}`);
        }
      }
      process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
    }

    console.log(`\nGateway comparison: ${ROUNDS} interleaved rounds × ${REQUESTS} requests (after ${WARMUP} warm-up) per gateway and operation, concurrency ${CONCURRENCY}, one process per gateway, client in its own process.`);
    console.log('Figures are median (min–max) over the rounds; ratios are taken within each round, then summarised. Gateway CPU is the gateway process\'s own (user + system, warm-up included), not the subgraphs\'.');
    for (const op of ops) {
      console.log(`\n${op.name}`);
      console.table(
        Object.fromEntries(
          KINDS.map((k) => {
            const c = cell(op.name, k);
            return [k, { 'requests/s': spread(c.rps, 1), 'p95 ms': spread(c.p95, 1), 'gateway CPU ms/request': spread(c.cpu, 2), failed: c.failures }];
          }),
        ),
      );
      const mine = cell(op.name, 'project');
      for (const other of ['apollo', 'hive'] as const) {
        const o = cell(op.name, other);
        const rps = mine.rps.map((v, i) => v / o.rps[i]!);
        const p95 = mine.p95.map((v, i) => o.p95[i]! / v);
        console.log(`  project/${other}: requests/s ${spread(rps)}×, p95 speed-up (${other} p95 ÷ project p95) ${spread(p95)}×   target ≥ 1.0×${median(rps) >= 1 ? '' : '  (below target)'}`);
      }
    }
    console.log(`\n${machineLine('end')}`);
  } finally {
    await load.stop();
    await Promise.all(gateways.map((g) => g.stop()));
    await stack.stop();
  }
});
