/** Logo and favicon uploads: who may upload, type by content, size, SVG sanitising, serving headers. */
import { Role } from '@wisp/shared';
import { codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestTenant, type TestTenant } from './tenantFixtures.ts';

const url = inject('gatewayUrl');
const uploadUrl = new URL('/uploads/branding-asset', url).href;
let ops: string;
let tenant: TestTenant;
let admin: string;

// A real 1x1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([26, 0, 0, 0]), Buffer.from('WEBPVP8L'), Buffer.alloc(14, 1)]);
const ICO = Buffer.concat([Buffer.from([0, 0, 1, 0, 1, 0, 16, 16, 0, 0, 1, 0, 32, 0]), Buffer.alloc(40, 0)]);
const CLEAN_SVG = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs><rect width="10" height="10" fill="url(#g)"/><text x="1" y="8">Hi</text></svg>';

async function upload(body: Buffer | string, token?: string, query = '') {
  const res = await fetch(uploadUrl + query, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const json = (await res.json()) as { url?: string; contentType?: string; errors?: { extensions: { code: string } }[] };
  return { status: res.status, json, code: json.errors?.[0]?.extensions.code };
}

beforeAll(async () => {
  ops = await emulatorIdToken('ops@platform.example');
  tenant = await createTestTenant(url, ops, 'assets');
  admin = await tenant.adminToken();
});

describe('uploading a logo', () => {
  it('stores a PNG by content hash and serves it with its type, immutable caching and nosniff', async () => {
    const up = await upload(PNG, admin);
    expect(up.status).toBe(201);
    expect(up.json.url).toMatch(/^\/assets\/[0-9a-f]{64}\.png$/);
    const res = await fetch(new URL(up.json.url!, url));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);

    const set = await gql(url, `mutation($u: String!) { updateBranding(input: { logoUrl: $u, faviconUrl: $u, logoAlt: "Our logo" }) { ok errors { field } } }`, { u: up.json.url }, { token: admin });
    expect(set.data!.updateBranding).toEqual({ ok: true, errors: [] });
    const pb = await gql(url, `query($h: String!) { portalBranding(host: $h) { logoUrl faviconUrl logoAlt } }`, { h: `${tenant.slug}.localhost` });
    expect(pb.data!.portalBranding).toEqual({ logoUrl: up.json.url, faviconUrl: up.json.url, logoAlt: 'Our logo' });
  });

  it.each([
    ['JPEG', JPEG, 'jpg', 'image/jpeg'],
    ['WebP', WEBP, 'webp', 'image/webp'],
    ['ICO', ICO, 'ico', 'image/x-icon'],
  ] as const)('accepts a %s, judged by its bytes', async (_, bytes, ext, type) => {
    const up = await upload(bytes, admin);
    expect(up.status).toBe(201);
    expect(up.json.url).toMatch(new RegExp(`\\.${ext}$`));
    expect((await fetch(new URL(up.json.url!, url))).headers.get('content-type')).toBe(type);
  });

  it('refuses an address that names no uploaded file', async () => {
    const r = await gql(url, `mutation { updateBranding(input: { logoUrl: "/assets/${'0'.repeat(64)}.png" }) { ok errors { field code } } }`, {}, { token: admin });
    expect(r.data!.updateBranding).toEqual({ ok: false, errors: [{ field: 'logoUrl', code: 'BAD_USER_INPUT' }] });
  });

  it('refuses files over 1 MB with a coded error, and nothing is stored', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(1024 * 1024)]);
    const up = await upload(big, admin);
    expect(up.status).toBe(413);
    expect(up.code).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['a GIF', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1')],
    ['HTML', '<html><script>alert(1)</script></html>'],
    ['text', 'just some text'],
    ['a PDF', '%PDF-1.4\n%...'],
    ['an empty body', ''],
  ])('refuses %s with a coded error', async (_, body) => {
    const up = await upload(body as Buffer | string, admin);
    expect([400, 415]).toContain(up.status);
    expect(up.code).toBe('BAD_USER_INPUT');
  });

  it('serves a clean SVG re-printed, with a Content-Security-Policy that forbids script', async () => {
    const up = await upload(CLEAN_SVG, admin);
    expect(up.status).toBe(201);
    expect(up.json.url).toMatch(/\.svg$/);
    const res = await fetch(new URL(up.json.url!, url));
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*sandbox/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const text = await res.text();
    expect(text).toMatch(/^<svg/);
    expect(text).toContain('viewBox="0 0 10 10"');
    expect(text).toContain('linearGradient');
  });

  it.each([
    ['a script element', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
    ['an event handler', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>'],
    ['a javascript: link', '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href="javascript:alert(1)"><rect width="1" height="1"/></a></svg>'],
    ['an external reference', '<svg xmlns="http://www.w3.org/2000/svg"><use href="https://evil.example/x.svg#a"/></svg>'],
    ['foreignObject HTML', '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><iframe src="https://evil.example"></iframe></foreignObject></svg>'],
    ['an external url() paint', '<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://evil.example/p#x)" width="1" height="1"/></svg>'],
    ['entities', '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>'],
    ['a style element', '<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/x.css);</style></svg>'],
    ['an animation that sets a link', '<svg xmlns="http://www.w3.org/2000/svg"><a><animate attributeName="href" to="javascript:alert(1)"/><text>x</text></a></svg>'],
  ])('refuses an SVG with %s', async (_, svg) => {
    const up = await upload(svg, admin);
    expect(up.status).toBe(415);
    expect(up.code).toBe('BAD_USER_INPUT');
  });
});

describe('who may upload', () => {
  it('refuses customers and agents, anonymous callers, and other tenants', async () => {
    const customer = await tenant.loginAs(Role.CUSTOMER, `c@${tenant.slug}.example`, '0123456789abcdef01234567');
    const agent = await tenant.loginAs(Role.AGENT, `a@${tenant.slug}.example`);
    expect((await upload(PNG, customer)).status).toBe(403);
    expect((await upload(PNG, agent)).code).toBe('FORBIDDEN');
    expect((await upload(PNG)).status).toBe(401);
    expect((await upload(PNG, 'not-a-token')).code).toBe('UNAUTHENTICATED');
    const skylineAdmin = await emulatorIdToken('admin@skyline.example', 'skyline');
    expect((await upload(PNG, skylineAdmin, `?tenantId=${tenant.id}`)).code).toBe('NOT_FOUND');
  });

  it('lets the platform operator upload for a tenant it names', async () => {
    expect((await upload(PNG, ops, `?tenantId=${tenant.id}`)).status).toBe(201);
    expect((await upload(PNG, ops)).code).toBe('BAD_USER_INPUT');
  });

  it('refuses an admin of a suspended tenant', async () => {
    const t = await createTestTenant(url, ops, 'upsusp');
    const token = await t.adminToken();
    await gql(url, `mutation($id: ID!) { suspendTenant(id: $id) { status } }`, { id: t.id }, { token: ops });
    await expect.poll(async () => (await upload(PNG, token)).status, { timeout: 10_000, interval: 500 }).toBe(403);
    expect(codes(await gql(url, `{ viewer { uid } }`, {}, { token }))).toEqual(['FORBIDDEN']);
  });

  it('is not reachable on the tenant subgraph without the gateway signature', async () => {
    const base = new URL('/', inject('subgraphUrls').tenant);
    const res = await fetch(new URL('/internal/assets', base), { method: 'POST', body: new Uint8Array(PNG) });
    expect(res.status).toBe(401);
    const status = await fetch(new URL('/internal/tenant-status/000000000000000000000000', base));
    expect(status.status).toBe(401);
  });
});
