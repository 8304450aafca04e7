import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTenantLookup } from '../src/lib/server/tenantLookup';

const skyline = {
  tenantSlug: 'skyline',
  authTenantId: 'skyline-abc12',
  suspended: false,
  companyName: 'Skyline Wireless',
  displayName: 'Skyline Wireless',
  logoUrl: '/brand/skyline/logo.svg',
  logoAlt: 'Skyline Wireless',
  faviconUrl: null,
  colors: { primary: '#1d4ed8', secondary: '#0f766e', accent: '#0e7490', background: '#f3f7ff', text: '#0f172a' },
  welcomeMessage: null,
  footerText: null,
  supportEmail: null,
  supportPhone: null,
  supportHours: null,
  website: null,
};

// A stand-in gateway on a real port: answers portalBranding for skyline.localhost only.
let server: Server;
let url: string;
let hosts: string[] = [];
let failing = false;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const { variables } = JSON.parse(body) as { variables: { host: string } };
      hosts.push(variables.host);
      if (failing) {
        res.writeHead(502).end('bad gateway');
        return;
      }
      const branding = variables.host.startsWith('skyline.localhost') ? skyline : null;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { portalBranding: branding } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  hosts = [];
  failing = false;
});

describe('tenant lookup', () => {
  it('resolves a known host and reuses the answer within the TTL', async () => {
    let now = 1_000;
    const lookup = createTenantLookup({ gatewayUrl: () => url, ttlMs: 30_000, now: () => now });
    const [a, b] = await Promise.all([lookup('skyline.localhost:3000'), lookup('Skyline.localhost:3000')]);
    expect(a).toEqual({ kind: 'found', branding: skyline });
    expect(b).toEqual(a);
    now += 29_000;
    await lookup('skyline.localhost:3000');
    expect(hosts).toEqual(['skyline.localhost:3000']);
    now += 2_000;
    await lookup('skyline.localhost:3000');
    expect(hosts).toHaveLength(2);
  });

  it('reports an unknown host, and never asks the gateway about junk', async () => {
    const lookup = createTenantLookup({ gatewayUrl: () => url });
    expect(await lookup('nowhere.localhost:3000')).toEqual({ kind: 'unknown' });
    expect(await lookup('<script>')).toEqual({ kind: 'unknown' });
    expect(hosts).toEqual(['nowhere.localhost:3000']);
  });

  it('does not remember a failed lookup, so it recovers with the gateway', async () => {
    const lookup = createTenantLookup({ gatewayUrl: () => url });
    failing = true;
    expect((await lookup('skyline.localhost:3000')).kind).toBe('unavailable');
    failing = false;
    expect((await lookup('skyline.localhost:3000')).kind).toBe('found');
  });

  it('treats a gateway that is down as unavailable rather than throwing', async () => {
    const lookup = createTenantLookup({ gatewayUrl: () => 'http://127.0.0.1:1/graphql' });
    expect((await lookup('skyline.localhost:3000')).kind).toBe('unavailable');
  });

  it('keeps at most maxEntries hosts', async () => {
    const lookup = createTenantLookup({ gatewayUrl: () => url, maxEntries: 2 });
    await lookup('a1.localhost');
    await lookup('a2.localhost');
    await lookup('a3.localhost');
    await lookup('a1.localhost'); // evicted, so asked again
    await lookup('a3.localhost'); // still remembered
    expect(hosts).toEqual(['a1.localhost', 'a2.localhost', 'a3.localhost', 'a1.localhost']);
  });
});
