/**
 * The client side of the HTTP benchmarks, in its own process so its CPU is not the server's event
 * loop: a fixed number of concurrent keep-alive connections, each sending the next request as soon
 * as the previous answer arrived, until the request budget is spent.
 */
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { REQUEST_ID_HEADER, signIdentityHeaders, type Identity } from '@wisp/shared';
import { executePlan, type PlanNode } from './planExecutor.ts';

/** Instead of one POST per request: a query plan executed against the subgraphs directly. */
export interface DirectPlan {
  plan: PlanNode;
  subgraphUrls: Record<string, string>;
  /** Signed into every subgraph call, as a gateway would. */
  identity: Identity | null;
  identitySecret: string;
}

/** One measurement: the same request sent `requests` times over `concurrency` connections. */
export interface LoadSpec {
  /** A POST of `body` to `url`, or, with `direct`, the plan's subgraph calls. */
  url: string;
  body: string;
  headers: Record<string, string>;
  direct?: DirectPlan;
  concurrency: number;
  requests: number;
  /** Sent first and not measured (connection set-up, caches, JIT). @default 0 */
  warmup?: number;
}

export interface LoadResult {
  /** Latency of every measured request, ascending, in ms. */
  latencies: number[];
  elapsedMs: number;
  /** Requests that failed or answered with GraphQL errors; the first few bodies are in `samples`. */
  failures: number;
  samples: string[];
}

const agents = new Map<number, Agent>();

function post(url: URL, body: string, headers: Record<string, string>, agent: Agent): Promise<{ ok: boolean; text: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        // A cheap check: every answer must be data only; errors would make a fast gateway look faster.
        resolve({ ok: res.statusCode === 200 && !text.includes('"errors"'), text });
      });
      res.on('error', (e) => resolve({ ok: false, text: String(e) }));
    });
    req.on('error', (e) => resolve({ ok: false, text: String(e) }));
    req.end(body);
  });
}

function planRunner(direct: DirectPlan, agent: Agent) {
  const urls = Object.fromEntries(Object.entries(direct.subgraphUrls).map(([k, v]) => [k, new URL(v)]));
  return async (): Promise<{ ok: boolean; text: string }> => {
    const requestId = randomUUID();
    try {
      const data = await executePlan(direct.plan, async (service, query, variables) => {
        const body = JSON.stringify({ query, variables });
        const url = urls[service]!;
        const headers = { ...signIdentityHeaders(direct.identity, direct.identitySecret, { method: 'POST', path: `${url.pathname}${url.search}`, body }), [REQUEST_ID_HEADER]: requestId };
        const r = await post(url, body, headers, agent);
        return JSON.parse(r.text) as { data?: Record<string, unknown>; errors?: unknown[] };
      });
      // Serialised as a gateway would before answering.
      return { ok: true, text: JSON.stringify({ data }) };
    } catch (err) {
      return { ok: false, text: String(err) };
    }
  };
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.url);
  let agent = agents.get(spec.concurrency);
  if (!agent) agents.set(spec.concurrency, (agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency })));
  const once = spec.direct ? planRunner(spec.direct, agent) : () => post(url, spec.body, spec.headers, agent!);
  const latencies: number[] = [];
  const samples: string[] = [];
  let failures = 0;
  // Warm-up and measurement are separate phases, so no warm-up request overlaps the timed ones.
  const phase = async (count: number, measured: boolean) => {
    let left = count;
    const worker = async () => {
      while (left > 0) {
        left--;
        const start = performance.now();
        const r = await once();
        if (!measured) continue;
        latencies.push(performance.now() - start);
        if (!r.ok) {
          failures++;
          if (samples.length < 3) samples.push(r.text.slice(0, 300));
        }
      }
    };
    await Promise.all(Array.from({ length: spec.concurrency }, worker));
  };
  await phase(spec.warmup ?? 0, false);
  const t0 = performance.now();
  await phase(spec.requests, true);
  return { latencies: latencies.sort((a, b) => a - b), elapsedMs: performance.now() - t0, failures, samples };
}

// Run as a child process: each message is a LoadSpec, each answer its LoadResult.
if (process.send) {
  process.on('message', (m: { id: number; spec: LoadSpec } | 'stop') => {
    if (m === 'stop') process.exit(0);
    void runLoad(m.spec).then((result) => process.send!({ id: m.id, result }));
  });
}
