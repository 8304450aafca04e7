import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { routingUrlOf } from './attachments.ts';

describe('routingUrlOf', () => {
  it('reads a subgraph URL from the committed supergraph, and nothing for an unknown name', () => {
    const sdl = readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');
    expect(routingUrlOf('messaging', sdl)).toBe('http://127.0.0.1:4004/graphql');
    expect(routingUrlOf('work-order', sdl)).toBe('http://127.0.0.1:4003/graphql');
    expect(routingUrlOf('nope', sdl)).toBeUndefined();
  });
});
