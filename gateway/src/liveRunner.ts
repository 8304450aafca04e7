import { randomUUID } from 'node:crypto';
import type { ApolloServer } from '@apollo/server';
import type { GatewayContext } from './server.ts';
import type { RunQuery } from './liveQuery.ts';

/**
 * Runs a live-update query through the gateway's own request pipeline (validation, query
 * planning, signed identity headers to every subgraph), as the subscriber: the subgraphs apply
 * exactly the rules they apply to that person's HTTP queries.
 */
export function liveQueryRunner(apollo: ApolloServer<GatewayContext>): RunQuery {
  return async (query, variables, identity) => {
    const res = await apollo.executeOperation({ query, variables }, { contextValue: { identity, requestId: randomUUID() } });
    if (res.body.kind !== 'single') return { errors: [{ message: 'Unexpected incremental result.', extensions: { code: 'INTERNAL' } }] };
    return res.body.singleResult;
  };
}
