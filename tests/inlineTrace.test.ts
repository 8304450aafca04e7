/**
 * Apollo inline traces (`ftv1`) hand per-field timings to whoever asks for them with one header.
 * Without Apollo usage reporting nobody reads them, so no service produces them; with APOLLO_KEY set
 * a subgraph keeps Apollo's default and answers with traces again (the control case).
 */
import { signIdentityHeaders, type Identity } from '@wisp/shared';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { start as startTenant } from '../subgraphs/tenant/src/server.ts';

const ops: Identity = { uid: 'u-ops', role: 'PLATFORM_OPERATOR', tenantId: null };
const secret = inject('identitySecret');
const TRACE_HEADER = { 'apollo-federation-include-trace': 'ftv1' };

/** Posts a query asking for an inline trace; returns the response's `extensions`. */
async function askForTrace(url: string, query: string, { signed = true } = {}) {
  const request = JSON.stringify({ query });
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...TRACE_HEADER, ...(signed ? signIdentityHeaders(ops, secret, { method: 'POST', path: new URL(url).pathname, body: request }) : {}) },
    body: request,
  });
  const body = (await res.json()) as { data?: unknown; errors?: unknown; extensions?: Record<string, unknown> };
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  expect(body.data).toBeTruthy();
  return body.extensions ?? {};
}

describe('inline tracing without Apollo usage reporting', () => {
  it.each(Object.entries(inject('subgraphUrls')))('is off in the %s subgraph', async (_name, url) => {
    const extensions = await askForTrace(url, '{ _service { sdl } }');
    expect(extensions).not.toHaveProperty('ftv1');
  });

  it('is off in the gateway', async () => {
    const extensions = await askForTrace(inject('gatewayUrl'), '{ __typename }', { signed: false });
    expect(extensions).not.toHaveProperty('ftv1');
  });
});

describe('inline tracing with APOLLO_KEY set', () => {
  const previous = process.env.APOLLO_KEY;
  let stop: (() => Promise<void>) | undefined;
  afterAll(async () => {
    await stop?.();
    if (previous === undefined) delete process.env.APOLLO_KEY;
    else process.env.APOLLO_KEY = previous;
  });

  it('answers a subgraph trace request with a trace, as Apollo usage reporting needs', async () => {
    process.env.APOLLO_KEY = 'service:test-graph:not-a-real-key';
    const subgraph = await startTenant({ mongo: { uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') }, identitySecret: secret });
    stop = subgraph.stop;
    const extensions = await askForTrace(subgraph.url, '{ _service { sdl } }');
    expect(typeof extensions.ftv1).toBe('string');
  });
});
