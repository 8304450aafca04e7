import { ApolloServer } from '@apollo/server';
import { describe, expect, it } from 'vitest';
import { codedError, ErrorCode } from './errors.ts';
import { errorMaskingPlugin } from './masking.ts';

describe('error masking', () => {
  it('hides internal errors behind a request id and logs the original with that id', async () => {
    const logged: Record<string, unknown>[] = [];
    const log = { debug() {}, info() {}, warn() {}, error: (_: string, f?: Record<string, unknown>) => logged.push(f ?? {}) };
    const server = new ApolloServer<{ requestId: string }>({
      typeDefs: 'type Query { boom: Int  known: Int }',
      resolvers: {
        Query: {
          boom: () => {
            throw new Error('E11000 duplicate key in collection secrets');
          },
          known: () => {
            throw codedError(ErrorCode.FORBIDDEN, 'Not yours.');
          },
        },
      },
      plugins: [errorMaskingPlugin(log)],
    });
    await server.start();
    const res = await server.executeOperation({ query: '{ boom known }' }, { contextValue: { requestId: 'req-123' } });
    await server.stop();
    const body = res.body.kind === 'single' ? res.body.singleResult : null;
    const byPath = Object.fromEntries(body!.errors!.map((e) => [e.path![0], e]));
    expect(byPath.boom).toEqual({ message: 'Internal error.', path: ['boom'], extensions: { code: 'INTERNAL', requestId: 'req-123' } });
    expect(byPath.known!.extensions!.code).toBe('FORBIDDEN');
    expect(JSON.stringify(body)).not.toContain('E11000');
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ requestId: 'req-123', error: expect.stringContaining('E11000') });
  });
});
