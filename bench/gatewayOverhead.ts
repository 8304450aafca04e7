/**
 * Gateway overhead: a customer's federated home-page query through the project's gateway (in its
 * own process) against the same subgraph calls made directly, in the order of the query plan the
 * gateway's planner produces, with the same signed identity headers and `_entities`
 * representations (bench/lib/planExecutor.ts). Both from the same client process, in interleaved
 * rounds, at concurrency 1 and 10. Prints p50/p95 of each and the p95 ratio gateway/direct
 * (target ≤ 1.3×).
 *
 *   npm run bench:overhead [-- --rounds 6 --requests 300] [-- --quick]
 */
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import { emulatorIdToken } from '@wisp/shared/testing';
import { startChildGateway, type ChildGateway } from './gateway/gateways.ts';
import { CUSTOMER_HOME } from './gateway/operations.ts';
import { stockIdentity } from './gateway/stockIdentity.ts';
import { runBench, startBenchStack } from './lib/benchStack.ts';
import type { LoadSpec } from './lib/loadClient.ts';
import { p95Of, startLoadProcess } from './lib/loadProcess.ts';
import { executePlan, type PlanNode } from './lib/planExecutor.ts';
import { arg, machineLine, median, percentile, QUICK, rotated, spread } from './lib/stats.ts';
import { addWorkOrders } from './lib/workOrders.ts';

const ROUNDS = Number(arg('rounds', QUICK ? '2' : '6'));
const REQUESTS = Number(arg('requests', QUICK ? '20' : '300'));
const WARMUP = Number(arg('warmup', QUICK ? '5' : '30'));
const CONCURRENCIES = arg('concurrency', '1,10').split(',').map(Number);

/** `value` cut down to the fields `like` has: the gateway drops what the plan fetched only for joining. */
function shapedLike(like: unknown, value: unknown): unknown {
  if (Array.isArray(like)) return Array.isArray(value) ? like.map((l, i) => shapedLike(l, value[i])) : value;
  if (like && typeof like === 'object' && value && typeof value === 'object') return Object.fromEntries(Object.keys(like).map((k) => [k, shapedLike((like as Record<string, unknown>)[k], (value as Record<string, unknown>)[k])]));
  return value;
}

function fetchOrder(node: PlanNode): string[] {
  if (node.kind === 'Fetch') return [node.serviceName + (node.requires ? ' (_entities)' : '')];
  if (node.kind === 'Flatten') return fetchOrder(node.node).map((f) => `${f} at ${node.path.join('.')}`);
  return node.kind === 'Parallel' ? [`parallel[${node.nodes.flatMap(fetchOrder).join(' | ')}]`] : node.nodes.flatMap(fetchOrder);
}

runBench(async () => {
  console.log(machineLine('start'));
  const stack = await startBenchStack();
  const load = startLoadProcess();
  let gateway: ChildGateway | undefined;
  try {
    await addWorkOrders(stack.mongo, { count: 25, from: 0, customer: 'alice', messagesEach: 3 });
    const token = await emulatorIdToken('alice@skyline.example', 'skyline');
    gateway = await startChildGateway({ kind: 'project', subgraphUrls: stack.services.subgraphUrls, identitySecret: stack.identitySecret, projectId: stack.infra.projectId, emulatorHost: stack.infra.emulatorHost, eventLog: stack.mongo });

    // The plan the gateway's own planner (same version) makes for this operation.
    const supergraph = Supergraph.build(readFileSync(new URL('../schema/supergraph.graphql', import.meta.url), 'utf8'));
    const plan = new QueryPlanner(supergraph).buildQueryPlan(operationFromDocument(supergraph.apiSchema(), parse(CUSTOMER_HOME))).node as unknown as PlanNode;
    const identity = await stockIdentity(stack.infra.projectId, stack.identitySecret).identify(`Bearer ${token}`);
    const direct = { plan, subgraphUrls: stack.services.subgraphUrls, identity, identitySecret: stack.identitySecret };

    // Both paths must give the customer the same answer.
    const viaGateway = (await (await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: CUSTOMER_HOME }) })).json()) as { data: unknown; errors?: unknown };
    if (viaGateway.errors) throw new Error(`the gateway answered with errors: ${JSON.stringify(viaGateway.errors)}`);
    const { signIdentityHeaders } = await import('@wisp/shared');
    const viaSubgraphs = await executePlan(plan, async (service, query, variables) => {
      const url = stack.services.subgraphUrls[service as keyof typeof stack.services.subgraphUrls];
      const body = JSON.stringify({ query, variables });
      const signed = signIdentityHeaders(identity, stack.identitySecret, { method: 'POST', path: new URL(url).pathname, body });
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...signed }, body });
      return (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
    });
    if (JSON.stringify(shapedLike(viaGateway.data, viaSubgraphs)) !== JSON.stringify(viaGateway.data)) throw new Error('the direct subgraph calls and the gateway disagree');

    const specs: Record<'gateway' | 'direct', Omit<LoadSpec, 'concurrency'>> = {
      gateway: { url: gateway.url, body: JSON.stringify({ query: CUSTOMER_HOME }), headers: { authorization: `Bearer ${token}` }, requests: REQUESTS, warmup: WARMUP },
      direct: { url: gateway.url, body: '', headers: {}, direct, requests: REQUESTS, warmup: WARMUP },
    };
    const p95 = new Map<string, number[]>();
    const p50 = new Map<string, number[]>();
    const push = (m: Map<string, number[]>, k: string, v: number) => m.set(k, [...(m.get(k) ?? []), v]);
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of CONCURRENCIES) {
        for (const mode of rotated(['gateway', 'direct'] as const, round)) {
          const r = await load.run({ ...specs[mode], concurrency: c });
          if (r.failures) throw new Error(`${mode} at concurrency ${c}: ${r.failures} failed, e.g. ${r.samples[0]}`);
          push(p95, `${mode}|${c}`, p95Of(r));
          push(p50, `${mode}|${c}`, percentile(r.latencies, 50));
        }
      }
      process.stderr.write(`round ${round + 1}/${ROUNDS} done\n`);
    }

    console.log(`\nGateway overhead: customer home page, ${ROUNDS} interleaved rounds × ${REQUESTS} requests (after ${WARMUP} warm-up) per path and concurrency.`);
    console.log(`Plan order of the direct calls: ${fetchOrder(plan).join(' → ')}`);
    console.log('Figures are median (min–max) over the rounds; the ratio is taken within each round.');
    for (const c of CONCURRENCIES) {
      const g = p95.get(`gateway|${c}`)!;
      const d = p95.get(`direct|${c}`)!;
      const ratio = g.map((v, i) => v / d[i]!);
      console.log(`\nconcurrency ${c}`);
      console.table({
        gateway: { 'p50 ms': spread(p50.get(`gateway|${c}`)!, 1), 'p95 ms': spread(g, 1) },
        'direct subgraph calls': { 'p50 ms': spread(p50.get(`direct|${c}`)!, 1), 'p95 ms': spread(d, 1) },
      });
      console.log(`  p95 gateway/direct: ${spread(ratio)}×   target ≤ 1.3×${median(ratio) <= 1.3 ? '' : '  (above target)'}`);
    }
    console.log(`\n${machineLine('end')}`);
  } finally {
    await load.stop();
    await gateway?.stop();
    await stack.stop();
  }
});
