import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, scriptsRunning } from './browser.ts';
import { freshTenant, graphql } from './freshTenant.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// Mirrors the root test setup's declaration, which the portal's own type check does not see.
declare module 'vitest' {
  export interface ProvidedContext {
    portalPort: number;
  }
}

const port = inject('portalPort');
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));

/**
 * GETs a portal page as if it were served on `host` (Node's fetch would replace the Host header);
 * by default the sign-in page, where the start page sends a visitor without a session.
 */
function getAs(host: string, path = '/sign-in'): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: `${host}:${port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const primaryColour = (html: string) => /--color-primary:(#[0-9a-fA-F]{3,8});/.exec(html)?.[1]?.toLowerCase();

const buttonBackground = (page: Page) => page.locator('[data-testid=preview-button]').evaluate((el) => getComputedStyle(el).backgroundColor);

let browser: Browser;

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  browser = await launchChromium();
  mkdirSync(screenshots, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

describe('each WISP looks like its own site', () => {
  it.each([
    ['skyline', 'Skyline Wireless', '#1d4ed8', '#f3f7ff'],
    ['prairie', 'Prairie Air Networks', '#166534', '#fbf8ef'],
  ])('%s: colours, title, favicon and logo are in the first HTML response and on screen', async (slug, company, primary, background) => {
    const { status, body } = await getAs(`${slug}.localhost`);
    expect(status).toBe(200);
    expect(primaryColour(body)).toBe(primary);
    expect(body).toContain(`--color-bg:${background};`);
    expect(body).toMatch(new RegExp(`<title>${company}[^<]*</title>`));
    expect(body).toMatch(new RegExp(`<link rel="icon" href="/brand/${slug}/favicon.svg"`));
    expect(body).toMatch(new RegExp(`<img[^>]+src="/brand/${slug}/logo.svg"`));
    // No platform or vendor name in anything the visitor sees (scripts carry only configuration).
    expect(body.replace(/<script[\s\S]*?<\/script>/g, '')).not.toMatch(/wisp|vendor/i);

    const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    try {
      const page = await context.newPage();
      await page.goto(`http://${slug}.localhost:${port}/`);
      await page.waitForSelector('input[name="email"]');
      const rendered = await page.evaluate(() => ({
        primary: getComputedStyle(document.documentElement).getPropertyValue('--color-primary').trim(),
        background: getComputedStyle(document.body).backgroundColor,
        logoLoaded: (document.querySelector('header img') as HTMLImageElement | null)?.naturalWidth ?? 0,
      }));
      expect(rendered.primary).toBe(primary);
      expect(rendered.logoLoaded).toBeGreaterThan(0);
      await page.screenshot({ path: `${screenshots}${slug}-login.png` });

      await page.goto(`http://${slug}.localhost:${port}/support`);
      await page.screenshot({ path: `${screenshots}${slug}-support.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('serves each support page with its own questions and contact block in the first response', async () => {
    const skyline = await getAs('skyline.localhost', '/support');
    const prairie = await getAs('prairie.localhost', '/support');
    expect(skyline.status).toBe(200);
    expect(skyline.body).toContain('How do I restart my equipment?');
    expect(skyline.body).toContain('href="tel:+15550100"');
    expect(skyline.body).not.toContain('Prairie');
    expect(prairie.body).toContain('Is there an outage in my area?');
    expect(prairie.body).toContain('<em>free</em>');
    expect(prairie.body).not.toContain('Skyline');
  });
});

describe('tenant state in the first response', () => {
  it("puts the tenant's sanitised custom CSS after the theme, and a suspended tenant gets a neutral page", async () => {
    const { id, slug, opsToken } = await freshTenant();
    await graphql(
      'mutation($id: ID!, $input: BrandingInput!) { updateBranding(tenantId: $id, input: $input) { ok } }',
      { id, input: { customCss: '.site-header { border-top-width: 9px; }', companyName: 'Mesa Broadband' } },
      opsToken,
    );
    await expect.poll(async () => (await getAs(`${slug}.localhost`)).body, { timeout: 10_000, interval: 500 }).toContain(
      '<style id="tenant-custom-css">.site-header { border-top-width: 9px; }</style>',
    );

    await graphql('mutation($id: ID!) { suspendTenant(id: $id) { status } }', { id }, opsToken);
    await expect.poll(async () => (await getAs(`${slug}.localhost`)).status, { timeout: 10_000, interval: 500 }).toBe(503);
    const page = await getAs(`${slug}.localhost`, '/support');
    expect(page.status).toBe(503);
    expect(page.body).toContain('Service unavailable');
    expect(page.body).not.toMatch(/Mesa|wisp/i);

    await graphql('mutation($id: ID!) { reactivateTenant(id: $id) { status } }', { id }, opsToken);
    await expect.poll(async () => (await getAs(`${slug}.localhost`)).status, { timeout: 10_000, interval: 500 }).toBe(200);
  });
});

describe('an admin brands the portal', () => {
  it('changes the primary colour with a live preview and contrast warning, uploads a logo, saves, and the login page shows it on reload', async () => {
    const { slug, adminEmail } = await freshTenant();
    const base = `http://${slug}.localhost:${port}`;
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    try {
      const page = await context.newPage();
      await page.goto(`${base}/admin/branding`);
      await page.fill('input[name="email"]', adminEmail);
      await page.fill('input[name="password"]', 'demo-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForSelector('[data-testid=preview]', { timeout: 15_000 });
      await scriptsRunning(page);

      expect(await buttonBackground(page)).toBe('rgb(58, 74, 92)');
      await page.fill('input[name="colors.primary"]', '#b91c1c');
      await expect.poll(() => buttonBackground(page)).toBe('rgb(185, 28, 28)');

      // A text colour too pale for the background: warned about live, before saving.
      expect(await page.locator('[data-testid=contrast-warning]').count()).toBe(0);
      await page.fill('input[name="colors.text"]', '#c0c0c0');
      await expect.poll(() => page.locator('[data-testid=contrast-warning]').count()).toBe(1);
      expect(await page.locator('[data-testid=contrast-warning]').textContent()).toContain('Text on background');
      await page.screenshot({ path: `${screenshots}admin-branding-warning.png`, fullPage: true });
      await page.fill('input[name="colors.text"]', '#1c2430');
      await expect.poll(() => page.locator('[data-testid=contrast-warning]').count()).toBe(0);

      // Logo upload: stored, then previewed from the portal's own host.
      await page.locator('input[type=file]').first().setInputFiles({
        name: 'logo.svg',
        mimeType: 'image/svg+xml',
        buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" viewBox="0 0 120 40"><rect width="120" height="40" rx="8" fill="#b91c1c"/><text x="14" y="27" fill="#fff" font-size="18" font-family="sans-serif">Mesa</text></svg>'),
      });
      await expect.poll(() => page.locator('input[name="logoUrl"]').inputValue(), { timeout: 10_000 }).toMatch(/^\/assets\/[0-9a-f]{64}\.svg$/);
      await expect.poll(() => page.locator('[data-testid=preview] img').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);

      // The upload is served on the tenant's own host with the stack's asset headers.
      const logoPath = await page.locator('input[name="logoUrl"]').inputValue();
      const asset = await getAs(`${slug}.localhost`, logoPath);
      expect(asset.status).toBe(200);
      expect(asset.headers['content-type']).toBe('image/svg+xml');
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(asset.headers['x-content-type-options']).toBe('nosniff');
      expect(asset.headers['content-security-policy']).toMatch(/default-src 'none'.*sandbox/);

      // Hostile CSS is refused by the server and shown next to the field; nothing is saved.
      await page.fill('textarea[name="customCss"]', '@import url(https://evil.example/x.css);');
      await page.getByRole('button', { name: 'Save branding' }).click();
      await expect.poll(() => page.locator('[data-testid=save-notice]').textContent(), { timeout: 10_000 }).toContain('nothing was saved');
      expect(await page.locator('.field-error').first().textContent()).toContain('@import');
      await page.fill('textarea[name="customCss"]', '');

      await page.getByRole('button', { name: 'Save branding' }).click();
      await expect.poll(() => page.locator('[data-testid=save-notice]').textContent(), { timeout: 10_000 }).toContain('Saved');
      await expect.poll(() => page.locator('[data-testid=history-entry]').count()).toBe(2);
      expect(await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--color-primary').trim())).toBe('#b91c1c');
      await page.screenshot({ path: `${screenshots}admin-branding-saved.png`, fullPage: true });

      // The customer's login page, in a browser that never signed in.
      const customer = await browser.newContext({ viewport: { width: 1100, height: 760 } });
      try {
        const login = await customer.newPage();
        await expect
          .poll(async () => {
            await login.goto(`${base}/`);
            return login.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--color-primary').trim());
          }, { timeout: 15_000, interval: 1000 })
          .toBe('#b91c1c');
        const ssr = await getAs(`${slug}.localhost`);
        expect(primaryColour(ssr.body)).toBe('#b91c1c');
        expect(ssr.body).toMatch(/<img[^>]+src="\/assets\/[0-9a-f]{64}\.svg"/);
        await login.waitForSelector('input[name="email"]');
        const buttonColour = await login.getByRole('button', { name: 'Sign in' }).evaluate((el) => getComputedStyle(el).backgroundColor);
        expect(buttonColour).toBe('rgb(185, 28, 28)');
        await login.screenshot({ path: `${screenshots}admin-branding-login-after.png` });
      } finally {
        await customer.close();
      }

      // Restoring the first version brings the original colour back as a new version.
      await page.getByRole('button', { name: 'Restore' }).first().click();
      await expect.poll(() => page.locator('[data-testid=save-notice]').textContent(), { timeout: 10_000 }).toContain('restored');
      await expect.poll(() => buttonBackground(page)).toBe('rgb(58, 74, 92)');
      await expect.poll(() => page.locator('[data-testid=history-entry]').count()).toBe(3);
    } finally {
      await context.close();
    }
  });

  it('sets the notification time zone, language and senders, sees a bad sender id refused at its field, and finds them after reload', async () => {
    const { slug, adminEmail } = await freshTenant();
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    try {
      const page = await context.newPage();
      await page.goto(`http://${slug}.localhost:${port}/admin/branding`);
      await page.fill('input[name="email"]', adminEmail);
      await page.fill('input[name="password"]', 'demo-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForSelector('[data-testid=preview]', { timeout: 15_000 });
      await scriptsRunning(page);

      const notifications = page.getByRole('group', { name: 'Notifications' });
      await notifications.getByLabel('Time zone').selectOption('America/Chicago');
      // The browser's own IANA list, with UTC and a way to leave it unset.
      expect(await notifications.getByLabel('Time zone').locator('option').count()).toBeGreaterThan(300);
      await expect.poll(() => page.locator('#timeZone-hint').textContent()).toMatch(/there now/);
      await notifications.getByLabel('Default language').selectOption({ label: 'Español' });
      await notifications.getByLabel('Email from name').fill('Mesa Broadband Support');
      await notifications.getByLabel('Email from address').fill('notices@mesa.example');
      await notifications.getByLabel('SMS sender id').fill('AB');
      await page.getByRole('button', { name: 'Save branding' }).click();
      await expect.poll(() => page.locator('[data-testid=save-notice]').textContent(), { timeout: 10_000 }).toContain('nothing was saved');
      expect(await notifications.locator('.field-error').allTextContents()).toEqual([expect.stringContaining('3 to 11 letters')]);
      expect(await notifications.getByLabel('SMS sender id').getAttribute('aria-invalid')).toBe('true');
      await notifications.screenshot({ path: `${screenshots}admin-branding-notifications-refused.png` });

      await notifications.getByLabel('SMS sender id').fill('Mesa');
      await page.getByRole('button', { name: 'Save branding' }).click();
      await expect.poll(() => page.locator('[data-testid=save-notice]').textContent(), { timeout: 10_000 }).toContain('Saved');
      await expect.poll(() => page.locator('[data-testid=history-entry]').first().textContent()).toContain('Time zone, Default language, Email from name');
      await notifications.screenshot({ path: `${screenshots}admin-branding-notifications.png` });

      await page.reload();
      await page.waitForSelector('[data-testid=preview]', { timeout: 15_000 });
      await scriptsRunning(page);
      expect(await notifications.getByLabel('Time zone').inputValue()).toBe('America/Chicago');
      expect(await notifications.getByLabel('Default language').inputValue()).toBe('es');
      expect(await notifications.getByLabel('Email from name').inputValue()).toBe('Mesa Broadband Support');
      expect(await notifications.getByLabel('Email from address').inputValue()).toBe('notices@mesa.example');
      expect(await notifications.getByLabel('SMS sender id').inputValue()).toBe('Mesa');
    } finally {
      await context.close();
    }
  });

  it('shows customers of the tenant no branding editor', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`http://skyline.localhost:${port}/admin/branding`);
      await page.fill('input[name="email"]', 'alice@skyline.example');
      await page.fill('input[name="password"]', 'demo-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.locator('h1').first().textContent(), { timeout: 15_000 }).toBe('Not available');
      expect(await page.locator('[data-testid=preview]').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
