import type { RemoteGraphQLDataSource } from '@apollo/gateway';

type Process = RemoteGraphQLDataSource['process'];
type Options = Parameters<Process>[0];
type Response = Awaited<ReturnType<Process>>;

/** The header that asks a subgraph for a per-field trace, whose `_entities` indices must stay the gateway's own. */
const TRACE_HEADER = 'apollo-federation-include-trace';

/**
 * Sends an entity fetch's representations once each. The query planner asks for an entity once
 * per place it appears: a list of 100 tickets with five messages each asks the customer subgraph
 * for the same author up to 500 times. The subgraph is sent each distinct representation once, and
 * its answer (entities and the errors at their paths) is spread back over every place that asked,
 * each place getting its own copy (the gateway merges later fetches into them one by one).
 */
export function withDistinctRepresentations(process: Process): Process {
  return async (options: Options): Promise<Response> => {
    const variables = options.request.variables;
    const representations = variables?.representations;
    if (!Array.isArray(representations) || representations.length < 2 || options.request.http?.headers.get(TRACE_HEADER)) return process(options);
    const indexOf = new Map<string, number>();
    const distinct: unknown[] = [];
    const at = representations.map((r: unknown) => {
      const key = JSON.stringify(r);
      let i = indexOf.get(key);
      if (i === undefined) {
        i = distinct.push(r) - 1;
        indexOf.set(key, i);
      }
      return i;
    });
    if (distinct.length === representations.length) return process(options);
    const response = await process({ ...options, request: { ...options.request, variables: { ...variables, representations: distinct } } } as Options);
    const entities = (response.data as { _entities?: unknown } | null | undefined)?._entities;
    const seen = new Set<number>();
    const data =
      Array.isArray(entities) && entities.length === distinct.length
        ? {
            ...response.data,
            _entities: at.map((i) => {
              const first = !seen.has(i);
              seen.add(i);
              const e = entities[i] as unknown;
              return first || e === null || typeof e !== 'object' ? e : (JSON.parse(JSON.stringify(e)) as unknown);
            }),
          }
        : response.data;
    const errors = response.errors?.flatMap((error) => {
      const [root, index, ...rest] = error.path ?? [];
      if (root !== '_entities' || typeof index !== 'number') return [error];
      return at.flatMap((i, original) => (i === index ? [{ ...error, path: ['_entities', original, ...rest] }] : []));
    });
    return { ...response, data, ...(errors ? { errors } : {}) } as Response;
  };
}
