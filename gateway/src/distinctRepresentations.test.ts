import { describe, expect, it } from 'vitest';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import { withDistinctRepresentations } from './distinctRepresentations.ts';

type Process = RemoteGraphQLDataSource['process'];
const call = (representations: unknown[], headers: Record<string, string> = {}) =>
  ({ request: { query: '{ _entities }', variables: { representations }, http: { headers: new Map(Object.entries(headers)) } } }) as unknown as Parameters<Process>[0];

/** A subgraph that answers each representation with its name, and refuses the one named "secret". */
function subgraph(seen: unknown[][]): Process {
  return (async (options: Parameters<Process>[0]) => {
    const reps = options.request.variables!.representations as { id: string }[];
    seen.push(reps);
    return {
      data: { _entities: reps.map((r) => (r.id === 'secret' ? null : { name: `name of ${r.id}`, plan: { id: r.id } })) },
      errors: reps.flatMap((r, i) => (r.id === 'secret' ? [{ message: 'Not yours.', path: ['_entities', i, 'name'], extensions: { code: 'FORBIDDEN' } }] : [])),
    };
  }) as unknown as Process;
}

describe('withDistinctRepresentations', () => {
  it('sends each representation once and answers every place that asked, errors at each place', async () => {
    const seen: unknown[][] = [];
    const process = withDistinctRepresentations(subgraph(seen));
    const reps = [{ id: 'a' }, { id: 'b' }, { id: 'a' }, { id: 'secret' }, { id: 'a' }, { id: 'secret' }];
    const res = await process(call(reps));
    expect(seen).toEqual([[{ id: 'a' }, { id: 'b' }, { id: 'secret' }]]);
    const entities = (res.data as { _entities: ({ name: string; plan: object } | null)[] })._entities;
    expect(entities.map((e) => e?.name ?? null)).toEqual(['name of a', 'name of b', 'name of a', null, 'name of a', null]);
    // Each place gets its own object: merging a later fetch into one leaves the others alone.
    expect(entities[0]).not.toBe(entities[2]);
    expect(entities[0]!.plan).not.toBe(entities[2]!.plan);
    expect(res.errors?.map((e) => e.path)).toEqual([
      ['_entities', 3, 'name'],
      ['_entities', 5, 'name'],
    ]);
  });

  it('leaves fetches without repeats, and traced fetches, as they are', async () => {
    const seen: unknown[][] = [];
    const process = withDistinctRepresentations(subgraph(seen));
    await process(call([{ id: 'a' }, { id: 'b' }]));
    await process(call([{ id: 'a' }, { id: 'a' }], { 'apollo-federation-include-trace': 'ftv1' }));
    expect(seen).toEqual([[{ id: 'a' }, { id: 'b' }], [{ id: 'a' }, { id: 'a' }]]);
  });
});
