/** Branding administration through the gateway: validation, contrast, audit history, isolation. */
import { start as startGateway } from '@wisp/gateway';
import { codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { tenantId } from './demo.ts';
import { createTestTenant, type TestTenant } from './tenantFixtures.ts';

const url = inject('gatewayUrl');
let ops: string;
let skylineAdmin: string;
let skylineAgent: string;
let skylineAlice: string;
let tenant: TestTenant;
let admin: string;

const UPDATE = /* GraphQL */ `
  mutation($tenantId: ID, $input: BrandingInput!, $expectedVersion: Int) {
    updateBranding(tenantId: $tenantId, input: $input, expectedVersion: $expectedVersion) {
      ok
      errors { field message code }
      version
      contrast { pair foreground background ratio passesAA }
      contrastWarnings { pair }
      branding { companyName displayName logoUrl website supportEmail customCss contact contactHtml colors { primary secondary accent background text } faq { question answer answerHtml } version }
    }
  }
`;
const CURRENT = `{ viewer { tenant { branding { companyName website customCss colors { primary text background } faq { question } contact version } } } }`;

beforeAll(async () => {
  [ops, skylineAdmin, skylineAgent, skylineAlice] = await Promise.all([
    emulatorIdToken('ops@platform.example'),
    emulatorIdToken('admin@skyline.example', 'skyline'),
    emulatorIdToken('agent@skyline.example', 'skyline'),
    emulatorIdToken('alice@skyline.example', 'skyline'),
  ]);
  tenant = await createTestTenant(url, ops, 'brand');
  admin = await tenant.adminToken();
});

const current = async (token = admin) => (await gql(url, CURRENT, {}, { token })).data!.viewer.tenant.branding;

describe('updateBranding', () => {
  it("saves an admin's changes, reports WCAG contrast, and shows them on the public login lookup", async () => {
    const r = await gql(url, UPDATE, {
      input: {
        companyName: 'Canyon Air',
        colors: { primary: '#7C2D12', background: '#FFFFFF', text: '#111827', accent: '#0369a1' },
        website: 'https://canyon.example',
        faq: [
          { question: 'Where are you?', answer: 'On **every** ridge. [Map](https://canyon.example/map)' },
          { question: 'Hours?', answer: '- Mon–Fri\n- 8–5' },
        ],
        contact: 'Call [555 0100](tel:5550100)',
        customCss: '.card { border-radius: 4px; } @media (max-width: 40rem) { .card { padding: 1rem } }',
      },
    }, { token: admin });
    expect(r.errors).toBeUndefined();
    const res = r.data!.updateBranding;
    expect(res.ok).toBe(true);
    expect(res.errors).toEqual([]);
    expect(res.version).toBe(1);
    expect(res.branding).toMatchObject({ companyName: 'Canyon Air', colors: { primary: '#7c2d12', background: '#ffffff' }, version: 1 });
    expect(res.branding.faq[0].answerHtml).toBe('<p>On <strong>every</strong> ridge. <a href="https://canyon.example/map" rel="noopener nofollow">Map</a></p>');
    expect(res.branding.faq[1].answerHtml).toContain('<li>Mon–Fri</li>');
    expect(res.branding.contactHtml).toContain('href="tel:5550100"');
    // #111827 on white is 17.74:1; white on #7c2d12 is 9.37:1 (and #7c2d12 links on white the same);
    // #0369a1 on white is 5.93:1; white headings where the neutral secondary is mixed into the band 8.25:1.
    expect(res.contrast).toEqual([
      { pair: 'TEXT_ON_BACKGROUND', foreground: '#111827', background: '#ffffff', ratio: 17.74, passesAA: true },
      { pair: 'PRIMARY_BUTTON_TEXT', foreground: '#ffffff', background: '#7c2d12', ratio: 9.37, passesAA: true },
      { pair: 'ACCENT_ON_BACKGROUND', foreground: '#0369a1', background: '#ffffff', ratio: 5.93, passesAA: true },
      { pair: 'PRIMARY_LINK_ON_BACKGROUND', foreground: '#7c2d12', background: '#ffffff', ratio: 9.37, passesAA: true },
      { pair: 'HERO_TEXT_ON_SECONDARY', foreground: '#ffffff', background: '#704337', ratio: 8.25, passesAA: true },
    ]);
    expect(res.contrastWarnings).toEqual([]);
    const pb = await gql(url, `query($h: String!) { portalBranding(host: $h) { companyName colors { primary } customCss faq { question answerHtml } contactHtml } }`, { h: `${tenant.slug}.localhost` });
    expect(pb.data!.portalBranding).toMatchObject({ companyName: 'Canyon Air', colors: { primary: '#7c2d12' }, faq: [{ question: 'Where are you?' }, { question: 'Hours?' }] });
    expect(pb.data!.portalBranding.customCss).toContain('.card');
  });

  it('flags colour pairs below WCAG AA but still lets the admin save them', async () => {
    const r = await gql(url, UPDATE, { input: { colors: { text: '#999999', background: '#aaaaaa', primary: '#ffff00', accent: '#bbbbbb' } } }, { token: admin });
    const res = r.data!.updateBranding;
    expect(res.ok).toBe(true);
    const byPair = Object.fromEntries(res.contrast.map((c: { pair: string }) => [c.pair, c]));
    expect(byPair.TEXT_ON_BACKGROUND).toMatchObject({ passesAA: false });
    expect(byPair.TEXT_ON_BACKGROUND.ratio).toBeLessThan(1.5);
    expect(byPair.ACCENT_ON_BACKGROUND.passesAA).toBe(false);
    // Yellow gets near-black button text, which reads well.
    expect(byPair.PRIMARY_BUTTON_TEXT).toMatchObject({ foreground: '#111111', passesAA: true });
    // Yellow links on grey do not; every failing pair is listed as a warning, in the order of the checks.
    expect(byPair.PRIMARY_LINK_ON_BACKGROUND.passesAA).toBe(false);
    expect(res.contrastWarnings).toEqual(res.contrast.filter((c: { passesAA: boolean }) => !c.passesAA).map(({ pair }: { pair: string }) => ({ pair })));
    await gql(url, UPDATE, { input: { colors: { text: '#111827', background: '#ffffff', primary: '#7c2d12', accent: '#0369a1' } } }, { token: admin });
  });

  it('reports every bad field at once and changes nothing', async () => {
    const before = await current();
    const r = await gql(url, UPDATE, {
      input: {
        companyName: 'Should not be saved',
        colors: { primary: 'red', secondary: '#12345', accent: 'url(javascript:alert(1))', background: '#fff;}body{display:none' },
        logoUrl: 'javascript:alert(1)',
        faviconUrl: 'http://insecure.example/favicon.ico',
        website: 'ftp://canyon.example',
        supportEmail: 'not-an-email',
        supportPhone: '<script>',
        displayName: 'x'.repeat(121),
        welcomeMessage: '',
        footerText: 'a\u0000b',
      },
    }, { token: admin });
    expect(r.errors).toBeUndefined();
    const res = r.data!.updateBranding;
    expect(res.ok).toBe(false);
    expect(res.errors.map((e: { field: string }) => e.field).sort()).toEqual(
      ['colors.accent', 'colors.background', 'colors.primary', 'colors.secondary', 'displayName', 'faviconUrl', 'footerText', 'logoUrl', 'supportEmail', 'supportPhone', 'website'].sort(),
    );
    expect(res.errors.every((e: { code: string }) => e.code === 'BAD_USER_INPUT')).toBe(true);
    expect(await current()).toEqual(before);
  });

  it.each([
    ['@import', '@import url("https://evil.example/x.css"); .a { color: red }'],
    ['a url() to another host', '.a { background: url(https://evil.example/track.png) }'],
    ['a protocol-relative url()', ".a { background: url('//evil.example/x.png') }"],
    ['expression()', '.a { width: expression(alert(1)) }'],
    ['closing the style element', '.a { color: red } </style><script>alert(1)</script>'],
    ['an escaped url', '.a { background: u\\72l(https://evil.example) }'],
    ['-moz-binding', '.a { -moz-binding: url(/x.xml#xss) }'],
    ['a javascript: url', ".a { background: url('javascript:alert(1)') }"],
    ['@font-face', '@font-face { font-family: x; src: url(/f.woff) }'],
    ['unparseable CSS', '.a { color: red'],
  ])('refuses custom CSS with %s', async (_, customCss) => {
    const before = await current();
    const r = await gql(url, UPDATE, { input: { customCss, companyName: 'Hostile' } }, { token: admin });
    expect(r.data!.updateBranding.ok).toBe(false);
    expect(r.data!.updateBranding.errors).toEqual([expect.objectContaining({ field: 'customCss', code: 'BAD_USER_INPUT' })]);
    expect(await current()).toEqual(before);
  });

  it.each([
    ['raw HTML', '<img src=x onerror=alert(1)>'],
    ['a script block', 'Hi\n\n<script>alert(1)</script>'],
    ['a javascript: link', '[click](javascript:alert(1))'],
    ['a data: link', '[x](data:text/html;base64,PHNjcmlwdD4=)'],
    ['an http: link', '[x](http://insecure.example)'],
  ])('refuses Markdown with %s in FAQ answers and the contact block', async (_, markdown) => {
    const before = await current();
    const faq = await gql(url, UPDATE, { input: { faq: [{ question: 'Q', answer: markdown }] } }, { token: admin });
    expect(faq.data!.updateBranding.errors).toEqual([expect.objectContaining({ field: 'faq.0.answer', code: 'BAD_USER_INPUT' })]);
    const contact = await gql(url, UPDATE, { input: { contact: markdown } }, { token: admin });
    expect(contact.data!.updateBranding.errors).toEqual([expect.objectContaining({ field: 'contact' })]);
    expect(await current()).toEqual(before);
  });

  it('bounds the FAQ and its entries', async () => {
    const many = Array.from({ length: 51 }, (_, i) => ({ question: `Q${i}`, answer: 'A' }));
    expect((await gql(url, UPDATE, { input: { faq: many } }, { token: admin })).data!.updateBranding.errors[0].field).toBe('faq');
    const long = await gql(url, UPDATE, { input: { faq: [{ question: 'Q', answer: 'a'.repeat(5001) }, { question: '', answer: 'b' }] } }, { token: admin });
    expect(long.data!.updateBranding.errors.map((e: { field: string }) => e.field)).toEqual(['faq.0.answer', 'faq.1.question']);
  });

  it('refuses a save based on an outdated version with CONFLICT', async () => {
    const { version } = await current();
    const stale = await gql(url, UPDATE, { input: { companyName: 'Stale' }, expectedVersion: version - 1 }, { token: admin });
    expect(stale.data!.updateBranding).toMatchObject({ ok: false, errors: [{ field: 'expectedVersion', code: 'CONFLICT' }] });
    const fresh = await gql(url, UPDATE, { input: { companyName: 'Canyon Air Co' }, expectedVersion: version }, { token: admin });
    expect(fresh.data!.updateBranding).toMatchObject({ ok: true, version: version + 1 });
  });

  it('gives concurrent saves distinct versions and loses none of their changes', async () => {
    const { version } = await current();
    const fields = ['supportHours', 'footerText', 'welcomeMessage', 'logoAlt', 'displayName'];
    const results = await Promise.all(fields.map((f) => gql(url, UPDATE, { input: { [f]: `concurrent ${f}` } }, { token: admin })));
    expect(results.every((r) => r.data?.updateBranding.ok)).toBe(true);
    expect(results.map((r) => r.data!.updateBranding.version).sort()).toEqual(fields.map((_, i) => version + 1 + i));
    const after = await gql(url, `{ viewer { tenant { branding { supportHours footerText welcomeMessage logoAlt displayName } } } }`, {}, { token: admin });
    expect(after.data!.viewer.tenant.branding).toEqual(Object.fromEntries(fields.map((f) => [f, `concurrent ${f}`])));
  });

  it('does not create a version when nothing changes (a retried save is harmless)', async () => {
    const { version } = await current();
    const r1 = await gql(url, UPDATE, { input: { companyName: 'Canyon Air Co' } }, { token: admin });
    expect(r1.data!.updateBranding).toMatchObject({ ok: true, version });
  });
});

describe('history and restore', () => {
  const HISTORY = `query($tenantId: ID, $first: Int, $after: String) { brandingHistory(tenantId: $tenantId, first: $first, after: $after) { edges { node { id version action restoredFromVersion actorUid actorRole at changes { field from to } branding { companyName colors { primary } } } } pageInfo { hasNextPage endCursor } } }`;

  it('records who changed which fields from what to what, and restores an old version as a new one', async () => {
    const t = await createTestTenant(url, ops, 'hist');
    const token = await t.adminToken();
    await gql(url, UPDATE, { input: { colors: { primary: '#112233' } } }, { token });
    await gql(url, UPDATE, { input: { colors: { primary: '#445566' }, companyName: 'Renamed' } }, { token });

    const h = await gql(url, HISTORY, {}, { token });
    const versions = h.data!.brandingHistory.edges.map((e: { node: unknown }) => e.node);
    expect(versions.map((v: { version: number }) => v.version)).toEqual([2, 1, 0]);
    const [v2, v1, v0] = versions;
    expect(v0).toMatchObject({ action: 'CREATE', actorRole: 'PLATFORM_OPERATOR' });
    expect(v1).toMatchObject({ action: 'UPDATE', actorRole: 'TENANT_ADMIN', changes: [{ field: 'colors.primary', from: '"#3a4a5c"', to: '"#112233"' }] });
    expect(v2.changes).toEqual([
      { field: 'companyName', from: `"Test WISP ${t.slug}"`, to: '"Renamed"' },
      { field: 'colors.primary', from: '"#112233"', to: '"#445566"' },
    ]);
    expect(v2.actorUid).toBe(v1.actorUid);
    expect(Date.parse(v2.at)).toBeGreaterThanOrEqual(Date.parse(v1.at));

    const restored = await gql(url, `mutation($id: ID!) { restoreBranding(versionId: $id) { ok version branding { companyName colors { primary } } } }`, { id: v1.id }, { token });
    expect(restored.data!.restoreBranding).toEqual({ ok: true, version: 3, branding: { companyName: `Test WISP ${t.slug}`, colors: { primary: '#112233' } } });
    const after = (await gql(url, HISTORY, { first: 2 }, { token })).data!.brandingHistory;
    expect(after.edges[0].node).toMatchObject({ version: 3, action: 'RESTORE', restoredFromVersion: 1 });
    expect(after.edges[1].node.version).toBe(2);
    expect(after.pageInfo.hasNextPage).toBe(true);
    const rest = (await gql(url, HISTORY, { first: 10, after: after.pageInfo.endCursor }, { token })).data!.brandingHistory;
    expect(rest.edges.map((e: { node: { version: number } }) => e.node.version)).toEqual([1, 0]);
  });

  it("answers another tenant's version like an unknown one", async () => {
    const other = (await gql(url, HISTORY, { tenantId: tenant.id }, { token: ops })).data!.brandingHistory.edges[0].node.id;
    const r = await gql(url, `mutation($id: ID!) { restoreBranding(versionId: $id) { ok } }`, { id: other }, { token: skylineAdmin });
    expect(codes(r)).toEqual(['NOT_FOUND']);
    for (const id of ['000000000000000000000000', 'x', '{"$gt":""}']) {
      expect(codes(await gql(url, `mutation($id: ID!) { restoreBranding(versionId: $id) { ok } }`, { id }, { token: admin }))).toEqual(['NOT_FOUND']);
    }
  });
});

describe('who may brand a portal', () => {
  it("lets an admin of one tenant neither read nor change another tenant's branding settings", async () => {
    const before = await current();
    const change = await gql(url, UPDATE, { tenantId: tenant.id, input: { companyName: 'Hijacked' } }, { token: skylineAdmin });
    expect(codes(change)).toEqual(['NOT_FOUND']);
    const history = await gql(url, `query($t: ID) { brandingHistory(tenantId: $t) { edges { node { id } } } }`, { t: tenant.id }, { token: skylineAdmin });
    expect(codes(history)).toEqual(['NOT_FOUND']);
    const upload = await fetch(new URL(`/uploads/branding-asset?tenantId=${tenant.id}`, url), { method: 'POST', headers: { authorization: `Bearer ${skylineAdmin}` }, body: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]) });
    expect(upload.status).toBe(404);
    const reverse = await gql(url, UPDATE, { tenantId: tenantId('skyline'), input: { companyName: 'Hijacked' } }, { token: admin });
    expect(codes(reverse)).toEqual(['NOT_FOUND']);
    expect(await current()).toEqual(before);
    const skyline = await gql(url, `{ tenant(slug: "skyline") { branding { companyName } } }`, {}, { token: skylineAdmin });
    expect(skyline.data!.tenant.branding.companyName).toBe('Skyline Wireless');
  });

  it('refuses customers, agents and integrators, and asks anonymous callers to sign in', async () => {
    const key = await gql(url, `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`, { input: { name: 'NOC', scopes: ['tickets:read', 'customers:write'] } }, { token: admin });
    const integrator = key.data!.createApiKey.secret as string;
    for (const token of [skylineAlice, skylineAgent, integrator]) {
      expect(codes(await gql(url, UPDATE, { input: { companyName: 'Mine now' } }, { token }))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(url, `{ brandingHistory { edges { node { id } } } }`, {}, { token }))).toEqual(['FORBIDDEN']);
      expect(codes(await gql(url, `mutation { restoreBranding(versionId: "000000000000000000000000") { ok } }`, {}, { token }))).toEqual(['FORBIDDEN']);
    }
    expect(codes(await gql(url, UPDATE, { input: { companyName: 'Mine now' } }))).toEqual(['UNAUTHENTICATED']);
    const skyline = await gql(url, `{ tenant(slug: "skyline") { branding { companyName } } }`, {}, { token: skylineAdmin });
    expect(skyline.data!.tenant.branding.companyName).toBe('Skyline Wireless');
  });

  it('lets the platform operator brand any tenant it names, and asks it to name one', async () => {
    const r = await gql(url, UPDATE, { tenantId: tenant.id, input: { supportHours: 'Set by operations' } }, { token: ops });
    expect(r.data!.updateBranding.ok).toBe(true);
    expect(codes(await gql(url, UPDATE, { input: { supportHours: 'x' } }, { token: ops }))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gql(url, UPDATE, { tenantId: '000000000000000000000000', input: { supportHours: 'x' } }, { token: ops }))).toEqual(['NOT_FOUND']);
  });
});

describe('portalBranding', () => {
  it('gives a login page what it needs and nothing private', async () => {
    const r = await gql(url, `query($h: String!) { portalBranding(host: $h) { __typename tenantSlug companyName logoUrl faviconUrl colors { primary } faq { question answerHtml } contactHtml } }`, { h: 'skyline.localhost:3000' });
    expect(r.data!.portalBranding).toMatchObject({ tenantSlug: 'skyline', companyName: 'Skyline Wireless', logoUrl: '/brand/skyline/logo.svg' });
    expect(r.data!.portalBranding.faq.length).toBeGreaterThan(0);
    // Introspection is off by default: ask a gateway that has it on.
    const gw = await startGateway({ identitySecret: inject('identitySecret'), firebaseProjectId: inject('projectId'), subgraphUrls: inject('subgraphUrls'), introspection: true });
    const fields = await gql(gw.url, `{ __type(name: "PortalBranding") { fields { name } } }`).finally(() => gw.stop());
    const names = fields.data!.__type.fields.map((f: { name: string }) => f.name);
    expect(names).not.toContain('id');
    expect(names.filter((n: string) => /admin|history|version|domains|status/i.test(n))).toEqual([]);
    expect(JSON.stringify(r.data)).not.toMatch(/admin@|[0-9a-f]{24}/);
  });

  it('answers null for unknown hosts and junk', async () => {
    for (const h of ['nowhere.localhost', 'evil.example', '', 'a'.repeat(300), '{"$ne":null}', 'skyline.localhost.evil.example']) {
      const r = await gql(url, `query($h: String!) { portalBranding(host: $h) { tenantSlug } }`, { h });
      expect(r.errors, h).toBeUndefined();
      expect(r.data!.portalBranding, h).toBeNull();
    }
  });
});
