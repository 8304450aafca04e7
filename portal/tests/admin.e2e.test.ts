import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { gql } from '@wisp/shared/testing';
import { launchChromium } from './browser.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// Mirrors the root test setup's declaration, which the portal's own type check does not see.
declare module 'vitest' {
  export interface ProvidedContext {
    portalPort: number;
    gatewayUrl: string;
  }
}

const port = inject('portalPort');
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));
const at = (path = '/') => `http://skyline.localhost:${port}${path}`;
let browser: Browser;

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  mkdirSync(screenshots, { recursive: true });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function signedIn<T>(email: string, run: (page: Page, context: BrowserContext) => Promise<T>, viewport = { width: 1280, height: 900 }): Promise<T> {
  const context = await browser.newContext({ viewport });
  try {
    const page = await context.newPage();
    await page.goto(at());
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', 'demo-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: /Account security/ }).waitFor({ timeout: 20_000 });
    return await run(page, context);
  } finally {
    await context.close();
  }
}

const overflows = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

describe('tenant administration in the browser', () => {
  it('makes an API key that works at once, shows its secret once, and revokes it after a second click', async () => {
    await signedIn('admin@skyline.example', async (page) => {
      await page.getByRole('link', { name: /Integrations/ }).click();
      await page.waitForURL(/\/admin\/integrations$/);
      const name = `NOC ${randomBytes(3).toString('hex')}`;
      await page.getByTestId('api-key-name').fill(name);
      await page.getByLabel(/tickets:read/).check();
      await page.getByRole('button', { name: 'Create key' }).click();
      const secret = (await page.getByTestId('api-key-secret').textContent({ timeout: 15_000 }))!.trim();
      expect(secret).toMatch(/^wisp_live_[0-9a-f]{24}_/);
      const row = page.locator(`[data-testid=api-key][data-name="${name}"]`);
      await expect.poll(() => row.getAttribute('data-status')).toBe('ACTIVE');
      await page.screenshot({ path: `${screenshots}admin-integrations.png`, fullPage: true });

      // The key is an integrator of this WISP with just that scope.
      const viewer = await gql(inject('gatewayUrl'), '{ viewer { role tenant { slug } } }', {}, { token: secret });
      expect(viewer.data?.viewer).toMatchObject({ role: 'INTEGRATOR', tenant: { slug: 'skyline' } });
      const write = await gql(inject('gatewayUrl'), 'mutation { updateCustomer(id: "000000000000000000000000", input: { name: "x" }) { ok } }', {}, { token: secret });
      expect(write.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

      // Dismissed, the secret is nowhere on the page any more.
      await page.getByRole('button', { name: 'I have saved it' }).click();
      expect(await page.content()).not.toContain(secret);

      // Revoking asks first; only the second click ends the key.
      await row.getByRole('button', { name: 'Revoke…' }).click();
      expect(await row.getAttribute('data-status')).toBe('ACTIVE');
      await row.getByRole('button', { name: 'Yes, revoke' }).click();
      await expect.poll(() => row.getAttribute('data-status')).toBe('REVOKED');
      const after = await gql(inject('gatewayUrl'), '{ viewer { role } }', {}, { token: secret });
      expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });
  });

  it('adds a webhook endpoint, refuses a private address, sends a test delivery and shows it delivered', async () => {
    const received: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        if (req.headers['webhook-signature']) received.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/${randomBytes(3).toString('hex')}`;
    try {
      await signedIn('admin@skyline.example', async (page) => {
        await page.goto(at('/admin/integrations'));
        const form = page.getByTestId('webhooks');
        await form.getByTestId('webhook-url').fill('http://10.1.2.3/hooks');
        await form.getByLabel('ticket.created').check();
        await form.getByRole('button', { name: 'Add endpoint' }).click();
        await expect.poll(() => page.getByTestId('webhook-message').textContent(), { timeout: 15_000 }).toMatch(/private|public/i);

        await form.getByTestId('webhook-url').fill(hook);
        await form.getByRole('button', { name: 'Add endpoint' }).click();
        expect((await page.getByTestId('webhook-secret').textContent({ timeout: 15_000 }))!.trim()).toMatch(/^whsec_/);
        const row = page.locator(`[data-testid=webhook-endpoint][data-url="${hook}"]`);
        expect(await row.getByTestId('webhook-state').textContent()).toBe('On');
        await row.getByRole('button', { name: 'Send test' }).click();
        await expect.poll(() => received.length, { timeout: 30_000 }).toBeGreaterThan(0);
        expect(JSON.parse(received[0]!).type).toBe('webhook.test');
        // The delivery log shows it taken, with the receiver's answer.
        await expect
          .poll(async () => {
            const button = row.getByRole('button', { name: 'Deliveries' });
            if ((await button.getAttribute('aria-expanded')) === 'true') await button.click();
            await button.click();
            await row.getByTestId('webhook-deliveries').waitFor();
            return row.locator('[data-testid=webhook-delivery][data-status=DELIVERED]').count();
          }, { timeout: 30_000 })
          .toBeGreaterThan(0);
        expect(await row.getByTestId('webhook-deliveries').textContent()).toContain('204');
        await page.screenshot({ path: `${screenshots}admin-webhooks.png`, fullPage: true });
        await row.getByRole('button', { name: 'Delete…' }).click();
        await row.getByRole('button', { name: 'Yes, delete' }).click();
        await expect.poll(() => row.count()).toBe(0);
      });
    } finally {
      receiver.close();
    }
  });

  it('invites a colleague, changes their role and removes them after a second click', async () => {
    await signedIn('admin@skyline.example', async (page) => {
      await page.getByRole('link', { name: /^Staff/ }).click();
      await page.waitForURL(/\/admin\/staff$/);
      const email = `colleague-${randomBytes(3).toString('hex')}@skyline.example`;
      await page.getByTestId('invite-email').fill(email);
      await page.getByRole('button', { name: 'Send invitation' }).click();
      await expect.poll(() => page.getByTestId('staff-message').textContent(), { timeout: 15_000 }).toContain(`Invitation sent to ${email}`);
      const row = page.locator(`[data-testid=staff-member][data-email="${email}"]`);
      expect(await row.getByTestId('staff-status').textContent()).toBe('Invited');
      await row.getByLabel(/Role of/).selectOption('TENANT_ADMIN');
      await row.getByRole('button', { name: 'Apply role' }).click();
      await expect.poll(() => row.textContent()).toContain('Administrator');
      await page.screenshot({ path: `${screenshots}admin-staff.png`, fullPage: true });
      await row.getByRole('button', { name: 'Remove…' }).click();
      await row.getByRole('button', { name: 'Yes, remove' }).click();
      await expect.poll(() => row.count()).toBe(0);
      // Gone for good: a fresh load does not list them.
      await page.reload();
      await page.getByTestId('staff-member').first().waitFor();
      expect(await page.locator(`[data-testid=staff-member][data-email="${email}"]`).count()).toBe(0);
    });
  });

  it('shows the administration pages to administrators only, and fits a phone', async () => {
    await signedIn('agent@skyline.example', async (page) => {
      for (const path of ['/admin/staff', '/admin/integrations']) {
        await page.goto(at(path));
        await expect.poll(() => page.getByRole('alert').textContent()).toContain('not available');
      }
    });
    await signedIn(
      'admin@skyline.example',
      async (page) => {
        for (const path of ['/admin/staff', '/admin/integrations']) {
          await page.goto(at(path));
          await page.getByRole('heading', { level: 2 }).first().waitFor();
          await page.locator('[data-testid=staff-member], [data-testid=api-key], li.muted').first().waitFor();
          expect(await overflows(page), `${path} scrolls sideways at 390 px`).toBe(false);
        }
        await page.screenshot({ path: `${screenshots}admin-integrations-phone.png`, fullPage: true });
      },
      { width: 390, height: 844 },
    );
  });
});
