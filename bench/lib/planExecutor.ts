/**
 * Runs a federation query plan without a gateway: each fetch posted straight to its subgraph in
 * plan order, entity fetches given the `_entities` representations picked from what earlier
 * fetches returned. It is the floor a gateway's latency is compared with: the same subgraph calls,
 * none of the parsing, validation, planning or response shaping.
 */

/** The subset of @apollo/query-planner's plan nodes this executor understands. */
export type PlanNode =
  | { kind: 'Sequence' | 'Parallel'; nodes: PlanNode[] }
  | { kind: 'Flatten'; path: string[]; node: PlanNode }
  | { kind: 'Fetch'; serviceName: string; operation: string; variableUsages?: string[]; requires?: Selection[] };

type Selection = { kind: 'InlineFragment'; typeCondition?: string; selections: Selection[] } | { kind: 'Field'; name: string; selections?: Selection[] };

/** Posts one operation to one subgraph and gives back its parsed answer. */
export type SubgraphCall = (service: string, query: string, variables: Record<string, unknown>) => Promise<{ data?: Record<string, unknown> | null; errors?: unknown[] }>;

type Obj = Record<string, unknown>;

function pick(value: Obj, selections: Selection[]): Obj | undefined {
  const out: Obj = {};
  for (const s of selections) {
    if (s.kind === 'InlineFragment') {
      if (s.typeCondition && value.__typename !== s.typeCondition) continue;
      Object.assign(out, pick(value, s.selections));
    } else {
      const v = value[s.name];
      out[s.name] = s.selections && v && typeof v === 'object' ? pick(v as Obj, s.selections) : v;
    }
  }
  return Object.keys(out).length ? out : undefined;
}

function at(data: unknown, path: string[]): Obj[] {
  let level: unknown[] = [data];
  for (const key of path) {
    level = key === '@' ? level.flatMap((v) => (Array.isArray(v) ? v : [])) : level.map((v) => (v && typeof v === 'object' ? (v as Obj)[key] : undefined));
  }
  return level.filter((v): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v));
}

function merge(target: Obj, source: Obj) {
  for (const [k, v] of Object.entries(source)) {
    const t = target[k];
    if (Array.isArray(t) && Array.isArray(v)) t.forEach((item, i) => item && typeof item === 'object' && v[i] && merge(item as Obj, v[i] as Obj));
    else if (t && v && typeof t === 'object' && typeof v === 'object') merge(t as Obj, v as Obj);
    else target[k] = v;
  }
}

/** Executes `plan` through `call`; the merged data, or throws on the first GraphQL error. */
export async function executePlan(plan: PlanNode, call: SubgraphCall, variables: Obj = {}): Promise<Obj> {
  const data: Obj = {};
  const run = async (node: PlanNode, path: string[]): Promise<void> => {
    switch (node.kind) {
      case 'Sequence':
        for (const n of node.nodes) await run(n, path);
        return;
      case 'Parallel':
        await Promise.all(node.nodes.map((n) => run(n, path)));
        return;
      case 'Flatten':
        return run(node.node, [...path, ...node.path]);
      case 'Fetch': {
        const vars: Obj = Object.fromEntries((node.variableUsages ?? []).map((v) => [v, variables[v]]));
        if (!node.requires) {
          const r = await call(node.serviceName, node.operation, vars);
          if (r.errors?.length) throw new Error(`${node.serviceName}: ${JSON.stringify(r.errors)}`);
          merge(data, r.data ?? {});
          return;
        }
        const targets: Obj[] = [];
        const representations: Obj[] = [];
        for (const entity of at(data, path)) {
          const rep = pick(entity, node.requires);
          if (rep) {
            targets.push(entity);
            representations.push(rep);
          }
        }
        if (!representations.length) return;
        const r = await call(node.serviceName, node.operation, { ...vars, representations });
        if (r.errors?.length) throw new Error(`${node.serviceName}: ${JSON.stringify(r.errors)}`);
        const entities = (r.data?._entities ?? []) as (Obj | null)[];
        entities.forEach((e, i) => e && merge(targets[i]!, e));
        return;
      }
    }
  };
  await run(plan, []);
  return data;
}
