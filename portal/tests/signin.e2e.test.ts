import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser.ts';
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

function primaryColour(html: string): string | undefined {
  return /--color-primary:(#[0-9a-fA-F]{3,8});/.exec(html)?.[1]?.toLowerCase();
}

let browser: Browser;

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('portal sign-in', () => {
  it('brands the first HTML response for the tenant the host names', async () => {
    const { status, body } = await getAs('skyline.localhost');
    expect(status).toBe(200);
    expect(primaryColour(body)).toMatch(/^#[0-9a-f]{3,8}$/);
    expect(body).toMatch(/<title>[^<]*Skyline Wireless[^<]*<\/title>/);
    expect(body).toContain('Skyline Wireless');
    expect(body).toContain('/brand/skyline/logo.svg');
  });

  it('sends a Content-Security-Policy that forbids framing, with nosniff and a referrer policy', async () => {
    // A page SvelteKit's client hydrates allows its own inline start-up script by nonce; the sign-in
    // page has none, so it allows the portal's own script files only.
    for (const [path, scripts] of [['/sign-in', /script-src 'self';/], ['/no-such-page', /script-src 'self' 'nonce-[^']+'/]] as const) {
      const { headers } = await getAs('skyline.localhost', path);
      const csp = String(headers['content-security-policy'] ?? '');
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toMatch(scripts);
      expect(csp, path).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      expect(headers['x-content-type-options'], path).toBe('nosniff');
      expect(headers['referrer-policy'], path).toBe('strict-origin-when-cross-origin');
    }
    const unknown = await getAs('nobody.localhost');
    expect(String(unknown.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  });

  it('signs a Skyline customer in and shows their dashboard', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      // The policy must not get in the way of the Firebase SDK, the gateway or the branding styles.
      const refused: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
      });
      const response = await page.goto(`http://skyline.localhost:${port}/`);
      expect(response?.status()).toBe(200);

      await page.fill('input[name="email"]', 'alice@skyline.example');
      await page.fill('input[name="password"]', 'demo-password');
      await page.getByRole('button', { name: 'Sign in' }).click();

      await expect.poll(() => page.locator('[data-testid=customer-name]').textContent(), { timeout: 15_000 }).toContain('Alice Nguyen');
      await expect.poll(() => page.locator('[data-testid=company-name]').textContent()).toContain('Skyline Wireless');

      expect(refused).toEqual([]);
      mkdirSync(screenshots, { recursive: true });
      await page.screenshot({ path: `${screenshots}skyline-dashboard.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('says so when the password is wrong', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`http://skyline.localhost:${port}/`);
      await page.fill('input[name="email"]', 'alice@skyline.example');
      await page.fill('input[name="password"]', 'not-the-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('Email or password is incorrect');
      expect(await page.locator('[data-testid=customer-name]').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('signs the same email in to a separate account at each WISP', async () => {
    for (const [slug, company, accountPrefix] of [
      ['prairie', 'Prairie Air Networks', 'PRA-'],
      ['skyline', 'Skyline Wireless', 'SKY-'],
    ] as const) {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(`http://${slug}.localhost:${port}/`);
        await page.fill('input[name="email"]', 'carol@shared.example');
        await page.fill('input[name="password"]', 'demo-password');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expect.poll(() => page.locator('[data-testid=company-name]').textContent(), { timeout: 15_000 }).toContain(company);
        expect(await page.locator('[data-testid=account-number]').textContent()).toMatch(new RegExp(`^${accountPrefix}`));
      } finally {
        await context.close();
      }
    }
  });

  it('renders another tenant with its own colours', async () => {
    const skyline = primaryColour((await getAs('skyline.localhost')).body);
    const prairie = await getAs('prairie.localhost');
    expect(prairie.status).toBe(200);
    expect(prairie.body).toContain('Prairie Air Networks');
    expect(primaryColour(prairie.body)).toMatch(/^#[0-9a-f]{3,8}$/);
    expect(primaryColour(prairie.body)).not.toBe(skyline);

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const response = await page.goto(`http://prairie.localhost:${port}/`);
      expect(response?.status()).toBe(200);
      await page.waitForSelector('input[name="email"]');
      const rendered = await page.evaluate(() =>
        getComputedStyle(document.documentElement).getPropertyValue('--color-primary').trim().toLowerCase(),
      );
      expect(rendered).toBe(primaryColour(prairie.body));
      mkdirSync(screenshots, { recursive: true });
      await page.screenshot({ path: `${screenshots}prairie-sign-in.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('answers an unknown host with a neutral 404 page', async () => {
    const { status, body } = await getAs('nowhere.localhost');
    expect(status).toBe(404);
    expect(body).toContain('not recognised');
    expect(body).not.toMatch(/skyline|prairie|wisp/i);

    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const response = await page.goto(`http://nowhere.localhost:${port}/`);
      expect(response?.status()).toBe(404);
      expect(await page.locator('h1').textContent()).toBe('Portal not found');
    } finally {
      await context.close();
    }
  });
});
