/**
 * The tenant-status check in front of every login: concurrent requests share one lookup, and a
 * status about to expire is renewed in the background while requests keep answering from the
 * cache. The lookups go to the real tenant subgraph through a proxy that counts them and can hold
 * them back.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Role, type Identity } from '@wisp/shared';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { tenantId } from '../../tests/demo.ts';
import { tenantServices } from './tenantServices.ts';

const upstream = new URL(inject('subgraphUrls').tenant);
let lookups = 0;
let holding = false;
const held: (() => void)[] = [];
let proxyUrl = '';
const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
  if (req.url?.startsWith('/internal/tenant-status/')) lookups++;
  const forward = async () => {
    const signed = Object.entries(req.headers).filter(([k]) => k.startsWith('x-wisp-')) as [string, string][];
    const r = await fetch(new URL(req.url!, upstream), { headers: signed });
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await r.arrayBuffer()));
  };
  if (holding) held.push(() => void forward());
  else void forward();
});

beforeAll(async () => {
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  for (const release of held.splice(0)) release();
  await new Promise((r) => proxy.close(r));
});

const staffOf = (slug: string): Identity => ({ uid: `agent-${slug}`, role: Role.AGENT, tenantId: tenantId(slug) });
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(condition: () => boolean, what: string) {
  for (const started = Date.now(); !condition(); await wait(10)) if (Date.now() - started > 10_000) throw new Error(`timed out waiting for ${what}`);
}
const release = () => {
  holding = false;
  for (const go of held.splice(0)) go();
};

function checker(ttlMs: number, refreshAheadMs?: number) {
  const t = tenantServices({ identitySecret: inject('identitySecret'), subgraphUrls: { tenant: proxyUrl }, statusTtlMs: ttlMs, statusRefreshAheadMs: refreshAheadMs });
  return (identity: Identity) => t.checkingTenantStatus(async () => identity)('Bearer x');
}

describe('tenant status lookups', () => {
  afterEach(release);

  it('share one lookup among concurrent requests of a tenant', async () => {
    const check = checker(60_000);
    lookups = 0;
    holding = true;
    const requests = Promise.all(Array.from({ length: 25 }, () => check(staffOf('skyline'))));
    await until(() => held.length === 1, 'the lookup to arrive');
    // Give any second lookup time to show up while the first is held back.
    await wait(200);
    expect(lookups).toBe(1);
    release();
    const identities = await requests;
    expect(identities.every((i) => i?.tenantId === tenantId('skyline'))).toBe(true);
    expect(lookups).toBe(1);
    // Another tenant is its own lookup; the first one is now answered from the cache.
    await Promise.all([check(staffOf('skyline')), check(staffOf('prairie')), check(staffOf('prairie'))]);
    expect(lookups).toBe(2);
  });

  it('refuse every waiter of a failed lookup, and ask again on the next request', async () => {
    const t = tenantServices({ identitySecret: 'not-the-gateway-secret-but-long-enough-000000', subgraphUrls: { tenant: proxyUrl } });
    const check = t.checkingTenantStatus(async () => staffOf('skyline'));
    lookups = 0;
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => check('Bearer x')));
    expect(lookups).toBe(1);
    for (const r of results) expect(r.status === 'rejected' && (r.reason as { extensions?: { code?: string } }).extensions?.code).toBe('INTERNAL');
    await expect(check('Bearer x')).rejects.toMatchObject({ extensions: { code: 'INTERNAL' } });
    expect(lookups).toBe(2);
  });

  it('renew a status shortly before it expires without making a request wait', async () => {
    const check = checker(3000, 1000);
    lookups = 0;
    await check(staffOf('skyline'));
    expect(lookups).toBe(1);
    // Fresh: no lookup at all.
    await check(staffOf('skyline'));
    expect(lookups).toBe(1);
    await wait(2200);
    // Within the last second: the answer comes from the cache while the renewal is still held back.
    holding = true;
    const answered = await Promise.race([Promise.all([check(staffOf('skyline')), check(staffOf('skyline'))]).then(() => 'cache'), wait(400).then(() => 'waited')]);
    expect(answered).toBe('cache');
    await until(() => held.length === 1, 'the renewal to arrive');
    expect(lookups).toBe(2);
    release();
    await wait(200);
    // Past the first answer's expiry, the renewed one serves without another lookup.
    await wait(1200);
    await check(staffOf('skyline'));
    expect(lookups).toBe(2);
  });

  it('still refuses a suspended or unknown tenant after sharing the lookup', async () => {
    const check = checker(60_000);
    lookups = 0;
    const unknown: Identity = { uid: 'x', role: Role.AGENT, tenantId: '0123456789abcdef01234567' };
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => check(unknown)));
    expect(lookups).toBe(1);
    for (const r of results) expect(r.status === 'rejected' && (r.reason as { extensions?: { code?: string } }).extensions?.code).toBe('FORBIDDEN');
  });
});
