import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
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
const unique = () => randomBytes(4).toString('hex');
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

/** A Skyline customer with a login of their own (self-signup), so the test changes nobody else's account. */
async function freshCustomerLogin() {
  const n = unique();
  const agent = await emulatorIdToken('agent@skyline.example', 'skyline');
  const phone = `+1555${String(parseInt(n, 16) % 10_000_000).padStart(7, '0')}`;
  const created = await gql(inject('gatewayUrl'), `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { ok customer { id accountNumber } } }`, {
    input: { accountNumber: `SKY-E${n}`, name: `Browser Tester ${n}`, phone, serviceStatus: 'ACTIVE' },
  }, { token: agent });
  const email = `browser-${n}@example.com`;
  const password = 'browser-good-password';
  const signUp = await gql(inject('gatewayUrl'), `mutation ($input: SignUpInput!) { signUpWithAccount(input: $input) { ok } }`, {
    input: { tenantSlug: 'skyline', accountNumber: created.data!.createCustomer.customer.accountNumber, phone, email, password },
  });
  if (!signUp.data?.signUpWithAccount.ok) throw new Error(JSON.stringify(signUp.errors));
  return { email, password, name: `Browser Tester ${n}` };
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto(at('/'));
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('account security settings', () => {
  it('sets up an authenticator app, after which signing in asks for its code', async () => {
    const me = await freshCustomerLogin();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await signIn(page, me.email, me.password);
      await expect.poll(() => page.locator('[data-testid=customer-name]').textContent(), { timeout: 20_000 }).toContain(me.name);

      await page.goto(at('/account/settings'));
      await expect.poll(() => page.locator('[data-testid=factor-state]').textContent(), { timeout: 15_000 }).toContain('Off');
      await expect.poll(() => page.locator('[data-testid=email-unverified]').count()).toBe(1);
      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      const secret = (await page.locator('[data-testid=totp-secret]').textContent({ timeout: 15_000 }))!.trim();
      const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
      await page.fill('input[name="totp"]', totp.generate());
      await page.getByRole('button', { name: 'Confirm' }).click();
      await expect.poll(() => page.locator('[data-testid=factor-state]').textContent(), { timeout: 15_000 }).toContain('On');
      await page.screenshot({ path: `${screenshots}account-security.png`, fullPage: true });

      // A new browser: the password alone no longer shows the dashboard.
      const other = await browser.newContext();
      try {
        const second = await other.newPage();
        await signIn(second, me.email, me.password);
        await expect.poll(() => second.getByRole('heading', { name: 'Two-step sign-in' }).count(), { timeout: 20_000 }).toBe(1);
        expect(await second.locator('[data-testid=customer-name]').count()).toBe(0);
        await second.fill('input[name="code"]', '000000' === totp.generate({ timestamp: Date.now() + 30_000 }) ? '111111' : '000000');
        await second.getByRole('button', { name: 'Continue' }).click();
        await expect.poll(() => second.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('did not work');
        await second.fill('input[name="code"]', totp.generate({ timestamp: Date.now() + 30_000 }));
        await second.getByRole('button', { name: 'Continue' }).click();
        await expect.poll(() => second.locator('[data-testid=customer-name]').textContent(), { timeout: 20_000 }).toContain(me.name);
        await second.screenshot({ path: `${screenshots}second-factor-passed.png`, fullPage: true });
      } finally {
        await other.close();
      }
    } finally {
      await context.close();
    }
  });
});
