/**
 * Tenant administration without JavaScript: an administrator signs in with the plain form, makes
 * an API key and sees its secret once, revokes it after confirming, and adds a webhook endpoint,
 * all as plain posts the portal's server answers. An agent's session posting the same forms
 * straight to the portal is refused and nothing changes. The team, saved replies and service
 * levels work the same way, and so does the branding editor: colours held back for a contrast
 * question, a logo stored with the save, a question added, an earlier version restored.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { freshTenant, graphql, type FreshTenant } from './freshTenant.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    portalPort: number;
    gatewayUrl: string;
  }
}

const port = inject('portalPort');
const gateway = inject('gatewayUrl');
const origin = `http://skyline.localhost:${port}`;
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));
const PASSWORD = process.env.DEMO_PASSWORD ?? 'demo-password';
const tag = () => randomUUID().slice(0, 8);
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];

let browser: Browser;

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  mkdirSync(screenshots, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

async function signInWithoutScripts(page: Page, email: string) {
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A form post straight to the portal (as a crafted page or script would send it), with a session cookie. */
function postForm(path: string, form: Record<string, string | string[]>, cookie: string): Promise<{ status: number; body: string }> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) params.append(k, one);
  const body = params.toString();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { host: `skyline.localhost:${port}`, origin, cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The elements that reach past the right edge of the viewport. */
const wider = (page: Page) =>
  page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map((e) => `${e.tagName}.${e.className}`).slice(0, 8));
const overflows = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);

async function adminToken() {
  return emulatorIdToken('admin@skyline.example', 'skyline');
}

const storedBranding = async (t: FreshTenant) =>
  (
    await graphql<{ tenant: { branding: { companyName: string; logoUrl: string | null; version: number; colors: Record<string, string>; faq: { question: string; answer: string }[] } } }>(
      'query($slug: String!) { tenant(slug: $slug) { branding { companyName logoUrl version colors { primary background } faq { question answer } } } }',
      { slug: t.slug },
      t.opsToken,
    )
  ).tenant.branding;

describe('integrations without JavaScript', () => {
  for (const viewport of VIEWPORTS) {
    it(`makes an API key, shows its secret once, revokes it after confirming and adds a webhook at ${viewport.width}px`, async () => {
      const context = await browser.newContext({ javaScriptEnabled: false, viewport });
      try {
        const page = await context.newPage();
        await page.goto(`${origin}/admin/integrations`);
        await page.waitForURL(`${origin}/sign-in?next=${encodeURIComponent('/admin/integrations')}`);
        await signInWithoutScripts(page, 'admin@skyline.example');
        await page.waitForURL(`${origin}/admin/integrations`);
        // The lists came with the page: scopes to choose, event types to choose.
        expect(await page.getByTestId('api-key-scope').count()).toBeGreaterThan(0);
        expect(await page.getByTestId('webhooks').getByLabel('ticket.created').count()).toBe(1);

        // No scope chosen: the server says so and keeps the name typed.
        const name = `No-script key ${tag()}`;
        await page.getByTestId('api-key-name').fill(name);
        await page.getByRole('button', { name: 'Create key' }).click();
        expect(await page.getByTestId('api-key-message').textContent()).toBe('Choose at least one scope.');
        expect(await page.inputValue('[data-testid=api-key-name]')).toBe(name);

        await page.getByLabel(/tickets:read/).check();
        await page.getByRole('button', { name: 'Create key' }).click();
        const secret = (await page.getByTestId('api-key-secret').textContent())!.trim();
        expect(secret).toMatch(/^wisp_live_[0-9a-f]{24}_/);
        const row = page.locator(`[data-testid=api-key][data-name="${name}"]`);
        expect(await row.getAttribute('data-status')).toBe('ACTIVE');
        expect(await overflows(page), 'the page scrolls sideways').toBe(false);
        await page.screenshot({ path: `${screenshots}integrations-noscript-key-${viewport.name}.png`, fullPage: true });
        const viewer = await gql(gateway, '{ viewer { role tenant { slug } } }', {}, { token: secret });
        expect(viewer.data?.viewer).toMatchObject({ role: 'INTEGRATOR', tenant: { slug: 'skyline' } });

        // Once put away, the secret is not on the page again.
        await page.getByRole('button', { name: 'I have saved it' }).click();
        await page.getByTestId('api-keys').waitFor();
        expect(await page.content()).not.toContain(secret);

        // Revoking asks first, in the answer to the first post; only the second ends the key.
        await row.getByRole('button', { name: 'Revoke…' }).click();
        await row.getByRole('group', { name: 'Confirm revocation' }).waitFor();
        expect(await row.getAttribute('data-status')).toBe('ACTIVE');
        expect((await gql(gateway, '{ viewer { role } }', {}, { token: secret })).data?.viewer?.role).toBe('INTEGRATOR');
        await row.getByRole('button', { name: 'Yes, revoke' }).click();
        await page.getByTestId('api-key-message').waitFor();
        expect(await page.getByTestId('api-key-message').textContent()).toBe(`${name} no longer works.`);
        expect(await row.getAttribute('data-status')).toBe('REVOKED');
        expect((await gql(gateway, '{ viewer { role } }', {}, { token: secret })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

        // A webhook endpoint: a private address is refused with the reason, the form kept.
        const hooks = page.getByTestId('webhooks');
        await hooks.getByTestId('webhook-url').fill('http://10.1.2.3/hooks');
        await hooks.getByLabel('ticket.created').check();
        await hooks.getByRole('button', { name: 'Add endpoint' }).click();
        expect(await page.getByTestId('webhook-message').textContent()).toMatch(/private|public/i);
        expect(await page.getByTestId('webhooks').getByLabel('ticket.created').isChecked()).toBe(true);
        const hook = `http://127.0.0.1:9/hooks/${tag()}`;
        await page.getByTestId('webhook-url').fill(hook);
        await page.getByRole('button', { name: 'Add endpoint' }).click();
        expect((await page.getByTestId('webhook-secret').textContent())!.trim()).toMatch(/^whsec_/);
        const endpoint = page.locator(`[data-testid=webhook-endpoint][data-url="${hook}"]`);
        expect(await endpoint.getByTestId('webhook-state').textContent()).toBe('On');
        // The deliveries are a view the address names.
        await endpoint.getByRole('button', { name: 'Deliveries' }).click();
        await endpoint.getByTestId('webhook-deliveries').waitFor();
        expect(new URL(page.url()).searchParams.get('deliveries')).toBeTruthy();
        expect(await overflows(page), 'the page scrolls sideways').toBe(false);
        await page.screenshot({ path: `${screenshots}integrations-noscript-webhook-${viewport.name}.png`, fullPage: true });

        // Deleting asks first too.
        await endpoint.getByRole('button', { name: 'Delete…' }).click();
        await endpoint.getByRole('button', { name: 'Yes, delete' }).click();
        expect(await page.getByTestId('webhook-message').textContent()).toBe('Endpoint deleted.');
        expect(await endpoint.count()).toBe(0);
      } finally {
        await context.close();
      }
    });
  }

  for (const viewport of VIEWPORTS) {
    it(`runs the team, saved replies and service levels with plain posts at ${viewport.width}px`, async () => {
      const context = await browser.newContext({ javaScriptEnabled: false, viewport });
      try {
        const page = await context.newPage();
        await page.goto(`${origin}/admin/staff`);
        await signInWithoutScripts(page, 'admin@skyline.example');
        await page.waitForURL(`${origin}/admin/staff`);

        // A colleague: invited, made an administrator, disabled, enabled, removed after asking.
        const email = `ns-colleague-${tag()}@skyline.example`;
        await page.getByTestId('invite-email').fill(email);
        await page.getByRole('button', { name: 'Send invitation' }).click();
        expect(await page.getByTestId('staff-message').textContent()).toContain(`Invitation sent to ${email}`);
        const member = () => page.locator(`[data-testid=staff-member][data-email="${email}"]`);
        expect(await member().getByTestId('staff-status').textContent()).toBe('Invited');
        await member().getByLabel(/Role of/).selectOption('TENANT_ADMIN');
        await member().getByRole('button', { name: 'Apply role' }).click();
        expect(await member().textContent()).toContain('Administrator');
        await member().getByRole('button', { name: 'Disable' }).click();
        expect(await member().getByTestId('staff-status').textContent()).toBe('Disabled');
        await member().getByRole('button', { name: 'Enable' }).click();
        expect(await page.getByTestId('staff-message').textContent()).toContain('can sign in again');
        expect(await overflows(page), 'the staff page scrolls sideways').toBe(false);
        await member().getByRole('button', { name: 'Remove…' }).click();
        await page.waitForURL((u) => !!u.searchParams.get('remove'));
        await member().getByRole('link', { name: 'Keep' }).click();
        await page.waitForURL(`${origin}/admin/staff`);
        await member().getByRole('button', { name: 'Remove…' }).click();
        await member().getByRole('button', { name: 'Yes, remove' }).click();
        expect(await page.getByTestId('staff-message').textContent()).toContain('was removed');
        expect(await member().count()).toBe(0);

        // A saved reply: added, changed, removed after asking.
        await page.goto(`${origin}/admin/replies`);
        const title = `No-script steps ${tag()}`;
        await page.getByTestId('reply-title').fill(title);
        await page.getByTestId('reply-body').fill('Unplug the radio for 30 seconds.');
        await page.getByTestId('reply-add').click();
        const reply = () => page.locator(`[data-testid=saved-reply][data-title="${title}"]`);
        expect(await reply().count()).toBe(1);
        await reply().getByTestId('reply-edit').click();
        await page.getByTestId('reply-edit-body').fill('Unplug the radio for a full minute.');
        await page.getByTestId('reply-save').click();
        expect(await page.getByTestId('replies-message').textContent()).toBe(`Saved “${title}”.`);
        expect(await reply().textContent()).toContain('a full minute');
        expect(await page.getByTestId('reply-edit-body').count()).toBe(0);
        expect(await overflows(page), 'the saved replies page scrolls sideways').toBe(false);
        await reply().getByTestId('reply-remove').click();
        await reply().getByTestId('reply-remove-yes').click();
        expect(await page.getByTestId('replies-message').textContent()).toBe(`Removed “${title}”.`);
        expect(await reply().count()).toBe(0);

        // Service levels: a target that is not whole minutes is refused with the typing kept; the same levels save again.
        await page.goto(`${origin}/admin/service-levels`);
        const target = page.getByTestId('sla-MEDIUM-firstResponseMinutes');
        const saved = await target.inputValue();
        await target.fill('1.5');
        await page.getByTestId('sla-save').click();
        expect(await page.getByTestId('sla-message').textContent()).toContain('whole number of minutes');
        expect(await page.getByTestId('sla-MEDIUM-firstResponseMinutes').inputValue()).toBe('1.5');
        expect(await page.getByTestId('sla-MEDIUM-firstResponseMinutes').getAttribute('aria-invalid')).toBe('true');
        await page.getByTestId('sla-MEDIUM-firstResponseMinutes').fill(saved);
        await page.getByTestId('sla-save').click();
        expect(await page.getByTestId('sla-message').textContent()).toContain('Service levels saved');
        expect(await page.getByTestId('sla-MEDIUM-firstResponseMinutes').inputValue()).toBe(saved);
        expect(await overflows(page), 'the service levels page scrolls sideways').toBe(false);
        await page.screenshot({ path: `${screenshots}admin-noscript-service-levels-${viewport.name}.png`, fullPage: true });
      } finally {
        await context.close();
      }
    });
  }

  it("refuses an agent's session posting the integration forms, and nothing changes", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      await signInWithoutScripts(page, 'agent@skyline.example');
      await page.getByTestId('staff-dashboard').waitFor();
      const res = await page.goto(`${origin}/admin/integrations`);
      expect(res?.status()).toBe(403);
      expect(await page.locator('main input').count()).toBe(0);

      const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
      const name = `Agent key ${tag()}`;
      const post = await postForm('/admin/integrations?/createKey', { name, scopes: ['tickets:read'], clientMutationId: randomUUID() }, cookie);
      expect(post.status).toBe(403);
      expect(post.body).not.toMatch(/wisp_live_/);
      const hook = `http://127.0.0.1:9/agent/${tag()}`;
      expect((await postForm('/admin/integrations?/createHook', { url: hook, eventTypes: 'ticket.created', clientMutationId: randomUUID() }, cookie)).status).toBe(403);

      // Nor the team, saved replies or service levels.
      const colleague = `agent-invite-${tag()}@skyline.example`;
      expect((await postForm('/admin/staff?/invite', { email: colleague, role: 'TENANT_ADMIN' }, cookie)).status).toBe(403);
      const replyTitle = `Agent reply ${tag()}`;
      expect((await postForm('/admin/replies?/save', { title: replyTitle, body: 'Not allowed.' }, cookie)).status).toBe(403);
      expect((await postForm('/admin/service-levels?/save', { 'MEDIUM-firstResponseMinutes': '1' }, cookie)).status).toBe(403);
      // Nor the branding.
      const branding = `{ viewer { tenant { branding { companyName version } } } }`;
      const brandingBefore = (await gql(gateway, branding, {}, { token: await adminToken() })).data;
      for (const action of ['save', 'restore', 'upload']) {
        expect((await postForm(`/admin/branding?/${action}`, { companyName: 'Taken over', 'colors.primary': '#000000', versionId: 'x', field: 'logoUrl' }, cookie)).status).toBe(403);
      }
      expect((await gql(gateway, branding, {}, { token: await adminToken() })).data).toEqual(brandingBefore);

      const token = await adminToken();
      const team = await gql(gateway, '{ staffAccounts { email } cannedReplies { title } }', {}, { token });
      expect((team.data!.staffAccounts as { email: string | null }[]).map((m) => m.email)).not.toContain(colleague);
      expect((team.data!.cannedReplies as { title: string }[]).map((r) => r.title)).not.toContain(replyTitle);
      const seen = await gql(gateway, '{ apiKeys { name } webhookEndpoints { url } }', {}, { token });
      expect(seen.errors).toBeUndefined();
      expect((seen.data!.apiKeys as { name: string }[]).map((k) => k.name)).not.toContain(name);
      expect((seen.data!.webhookEndpoints as { url: string }[]).map((e) => e.url)).not.toContain(hook);
    } finally {
      await context.close();
    }
  });
});

describe('the branding editor without JavaScript', () => {
  for (const viewport of VIEWPORTS) {
    it(`holds hard-to-read colours for a question, stores a logo and a new question with the save, and restores at ${viewport.width}px`, async () => {
      const t = await freshTenant();
      const base = `http://${t.slug}.localhost:${port}`;
      const before = await storedBranding(t);
      const context = await browser.newContext({ javaScriptEnabled: false, viewport });
      try {
        const page = await context.newPage();
        await page.goto(`${base}/admin/branding`);
        await page.waitForURL(`${base}/sign-in?next=${encodeURIComponent('/admin/branding')}`);
        await signInWithoutScripts(page, t.adminEmail);
        await page.waitForURL(`${base}/admin/branding`);
        // The form, its preview and its history came in the server's answer.
        expect(await page.inputValue('input[name=companyName]')).toBe('Mesa Broadband');
        expect(await page.getByTestId('preview').count()).toBe(1);
        expect(await page.getByTestId('history-entry').count()).toBe(1);
        expect(await page.locator('select[name=timeZone] option').count()).toBeGreaterThan(300);

        await page.fill('input[name=companyName]', 'Mesa Co-op');
        await page.fill('input[name="colors.background"]', '#ffffff');
        await page.fill('input[name="colors.primary"]', '#93c5fd');
        await page.fill('input[name="faq.0.question"]', 'Is there an outage?');
        await page.fill('textarea[name="faq.0.answer"]', 'See the status page.');
        await page.locator('input[name=logoFile]').setInputFiles({
          name: 'logo.svg',
          mimeType: 'image/svg+xml',
          buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#1d4ed8"/></svg>'),
        });
        await page.getByRole('button', { name: 'Save branding' }).click();

        // A pale primary is a 1.8:1 link: asked about, nothing stored, the typing kept.
        const question = page.getByRole('alertdialog', { name: 'Some colours will be hard to read' });
        await question.waitFor();
        expect(await question.getByTestId('contrast-confirm-pair').allTextContents()).toEqual([expect.stringMatching(/Links.*1\.80:1/)]);
        expect(await storedBranding(t)).toEqual(before);
        expect(await page.inputValue('input[name=companyName]')).toBe('Mesa Co-op');
        expect(await page.inputValue('input[name="faq.0.question"]')).toBe('Is there an outage?');
        expect(await wider(page), 'the branding page scrolls sideways').toEqual([]);
        await page.screenshot({ path: `${screenshots}admin-noscript-branding-question-${viewport.name}.png`, fullPage: true });

        // The logo was stored with the post; the form holds its address now, and the preview shows it.
        const logo = await page.inputValue('input[name=logoUrl]');
        expect(logo).toMatch(/^\/assets\/[0-9a-f]{64}\.svg$/);
        expect(await page.getByTestId('logoUrl-preview').getAttribute('src')).toBe(logo);

        // "Keep editing" goes back to the form as typed, saving nothing.
        await question.getByRole('button', { name: 'Keep editing' }).click();
        await page.locator('input[name=companyName]').waitFor();
        expect(await question.count()).toBe(0);
        expect(await page.inputValue('input[name="colors.primary"]')).toBe('#93c5fd');
        expect(await page.inputValue('input[name=logoUrl]')).toBe(logo);
        expect(await storedBranding(t)).toEqual(before);

        await page.getByRole('button', { name: 'Save branding' }).click();
        await question.waitFor();
        await question.getByRole('button', { name: 'Save anyway' }).click();
        await page.getByTestId('save-notice').waitFor();
        expect(await page.getByTestId('save-notice').textContent()).toContain('Saved');
        const saved = await storedBranding(t);
        expect(saved).toMatchObject({ companyName: 'Mesa Co-op', colors: { primary: '#93c5fd', background: '#ffffff' }, faq: [{ question: 'Is there an outage?', answer: 'See the status page.' }] });
        expect(saved.logoUrl).toBe(logo);
        expect(await page.inputValue('input[name=logoUrl]')).toBe(saved.logoUrl);
        expect(await page.getByTestId('history-entry').count()).toBe(2);

        // Saving again as shown changes nothing: no new version.
        await page.getByRole('button', { name: 'Save branding' }).click();
        await page.getByTestId('save-notice').waitFor();
        expect((await storedBranding(t)).version).toBe(saved.version);

        // The first version back, as a new one.
        await page.getByTestId('history-entry').last().getByRole('button', { name: 'Restore' }).click();
        await page.getByTestId('save-notice').waitFor();
        expect(await page.getByTestId('save-notice').textContent()).toMatch(/^Version \d+ restored/);
        expect(await storedBranding(t)).toMatchObject({ companyName: 'Mesa Broadband', faq: [] });
        expect(await page.inputValue('input[name=companyName]')).toBe('Mesa Broadband');
        expect(await page.getByTestId('history-entry').count()).toBe(3);
      } finally {
        await context.close();
      }
    });
  }
});
