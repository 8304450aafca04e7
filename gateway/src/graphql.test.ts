import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { makeServer } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { GraphQLError, buildASTSchema, parse } from './graphql.ts';

describe('the gateway’s graphql copy', () => {
  it('is the copy @apollo/gateway and graphql-ws load', () => {
    const require = createRequire(import.meta.url);
    const ofGateway = createRequire(require.resolve('@apollo/gateway'))('graphql') as typeof import('graphql');
    const ofGraphqlWs = createRequire(require.resolve('graphql-ws'))('graphql') as typeof import('graphql');
    expect(GraphQLError).toBe(ofGateway.GraphQLError);
    expect(GraphQLError).toBe(ofGraphqlWs.GraphQLError);
  });

  it('makes refusals graphql-ws sends as an error message, code included', async () => {
    const sent: unknown[] = [];
    let receive: ((data: string) => Promise<void>) | undefined;
    const server = makeServer({
      schema: buildASTSchema(parse('type Query { a: Int } type Subscription { a: Int }')),
      onSubscribe: () => [new GraphQLError('Only staff may follow the queue.', { extensions: { code: 'FORBIDDEN' } })],
    });
    const closed = server.opened(
      { protocol: 'graphql-transport-ws', send: (m) => void sent.push(JSON.parse(m)), close: (code, reason) => void sent.push({ close: code, reason }), onMessage: (cb) => void (receive = cb) },
      {},
    );
    await receive!(JSON.stringify({ type: 'connection_init' }));
    await receive!(JSON.stringify({ type: 'subscribe', id: '1', payload: { query: 'subscription { a }' } }));
    await closed(1000, 'done');
    expect(sent).toEqual([
      { type: 'connection_ack' },
      { id: '1', type: 'error', payload: [{ message: 'Only staff may follow the queue.', extensions: { code: 'FORBIDDEN' } }] },
    ]);
  });

  it('is the only graphql the gateway’s code takes values from', () => {
    const dir = new URL('./', import.meta.url);
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && f !== 'graphql.ts' && !f.endsWith('.test.ts'))
      .filter((f) => /^\s*(import|export)\s+(?!type\b)[^;]*?from\s+['"]graphql['"]/m.test(readFileSync(new URL(f, dir), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
