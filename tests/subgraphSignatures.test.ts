/**
 * A subgraph port reached directly gives nothing away: every request needs a fresh identity
 * signed by the gateway's secret.
 */
import { IDENTITY_HEADER, IDENTITY_SIG_HEADER, IDENTITY_TS_HEADER, type Identity } from '@wisp/shared';
import { codes, gql, signedFor } from '@wisp/shared/testing';
import { describe, expect, inject, it } from 'vitest';
import { customerId, tenantId } from './demo.ts';

const subgraphs = inject('subgraphUrls');
const secret = inject('identitySecret');
const alice: Identity = { uid: 'u-alice', role: 'CUSTOMER', tenantId: tenantId('skyline'), customerId: customerId('skyline', 'alice') };
const ops: Identity = { uid: 'u-ops', role: 'PLATFORM_OPERATOR', tenantId: null };

// A query each subgraph answers, with data worth stealing.
const probes: Record<keyof typeof subgraphs, string> = {
  tenant: '{ tenant(slug: "skyline") { id name } }',
  customer: `{ customer(id: "${customerId('skyline', 'alice')}") { id name phone } }`,
  'work-order': `{ _entities(representations: [{ __typename: "Customer", id: "${customerId('skyline', 'alice')}" }]) { ... on Customer { tickets { edges { node { title } } } } } }`,
  messaging: '{ _service { sdl } }',
};

describe.each(Object.keys(subgraphs) as (keyof typeof subgraphs)[])('the %s subgraph', (name) => {
  const url = subgraphs[name];
  const query = probes[name];
  const sign = (who: Identity, secretUsed = secret, now?: number) => signedFor(who, secretUsed, url, query, {}, now === undefined ? {} : { now });

  it('answers a request signed by the gateway (the control case)', async () => {
    const r = await gql(url, query, {}, { headers: sign(ops) });
    expect(r.errors).toBeUndefined();
    expect(r.data).toBeTruthy();
  });

  it('refuses an unsigned request', async () => {
    const r = await gql(url, query);
    expect(r.status).toBe(401);
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
    expect(r.data ?? null).toBeNull();
  });

  it('refuses identity headers signed with another secret', async () => {
    const r = await gql(url, query, {}, { headers: sign(ops, 'x'.repeat(43)) });
    expect(r.status).toBe(401);
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a signed identity whose payload was swapped for a more powerful one', async () => {
    const signed = sign(alice);
    const forged = { ...signed, [IDENTITY_HEADER]: sign(ops)[IDENTITY_HEADER]! };
    const r = await gql(url, query, {}, { headers: forged });
    expect(r.status).toBe(401);
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a replayed signature once it is stale', async () => {
    const old = sign(ops, secret, Date.now() - 5 * 60_000);
    const r = await gql(url, query, {}, { headers: old });
    expect(r.status).toBe(401);
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a signature with a moved timestamp', async () => {
    const signed = sign(ops, secret, Date.now() - 5 * 60_000);
    const r = await gql(url, query, {}, { headers: { ...signed, [IDENTITY_TS_HEADER]: String(Date.now()) } });
    expect(r.status).toBe(401);
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses garbage in the signature header', async () => {
    const signed = sign(ops);
    const r = await gql(url, query, {}, { headers: { ...signed, [IDENTITY_SIG_HEADER]: 'not-a-signature' } });
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a captured header set replayed, even for the very same request', async () => {
    const signed = sign(ops);
    const first = await gql(url, query, {}, { headers: signed });
    expect(first.errors).toBeUndefined();
    const again = await gql(url, query, {}, { headers: signed });
    expect(again.status).toBe(401);
    expect(codes(again)).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses a fresh header set reused for another query', async () => {
    const signed = sign(alice);
    const r = await gql(url, '{ __typename }', {}, { headers: signed });
    expect(r.status).toBe(401);
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
  });

  it('reports health on /healthz', async () => {
    const res = await fetch(url.replace(/\/graphql$/, '/healthz'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});
