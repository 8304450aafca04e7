/**
 * A customer's own settings with JavaScript off: the server renders them and every change is a
 * plain form post. Notification settings save only what was changed on the page (another tab's
 * change stands); a bad value is told at its field with what was typed kept; two-step sign-in is
 * turned on and off; a new password and "sign out everywhere" end the session and say so.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';

// Mirrors the root test setup's declaration, which the portal's own type check does not see.
declare module 'vitest' {
  export interface ProvidedContext {
    portalPort: number;
    gatewayUrl: string;
  }
}

const port = inject('portalPort');
const gateway = inject('gatewayUrl');
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));
const unique = () => randomBytes(4).toString('hex');
const at = (path = '/') => `http://skyline.localhost:${port}${path}`;
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];
const PREFERENCES = `query ($id: ID!) { customer(id: $id) { notificationPreferences {
  emailEnabled email { tickets visits outages } language timeZone quietHours { start end } } } }`;

let browser: Browser;
let agent: string;

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  mkdirSync(screenshots, { recursive: true });
  browser = await launchChromium();
  agent = await emulatorIdToken('agent@skyline.example', 'skyline');
});

afterAll(async () => {
  await browser?.close();
});

/** A Skyline customer with an email and a login of their own, so no demo customer's settings change. */
async function freshCustomer() {
  const n = unique();
  const email = `settings-${n}@example.com`;
  const name = `Sal Settings ${n}`;
  const created = await gql(gateway, `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { ok customer { id } } }`, {
    input: { accountNumber: `SKY-ST${n}`, name, email, phone: `+1555${String(parseInt(n, 16) % 10_000_000).padStart(7, '0')}`, serviceStatus: 'ACTIVE' },
  }, { token: agent });
  const id = created.data?.createCustomer.customer.id as string;
  if (!id) throw new Error(JSON.stringify(created.errors));
  // The login is made in the background; once it exists staff can give it a temporary password.
  const password = await vi.waitFor(
    async () => {
      const r = await gql(gateway, `mutation ($id: ID!) { setTemporaryPortalPassword(customerId: $id) { ok temporaryPassword } }`, { id }, { token: agent });
      if (!r.data?.setTemporaryPortalPassword.ok) throw new Error('no login yet');
      return r.data.setTemporaryPortalPassword.temporaryPassword as string;
    },
    { timeout: 20_000, interval: 250 },
  );
  return { id, email, name, password };
}

const preferences = async (id: string) => (await gql(gateway, PREFERENCES, { id }, { token: agent })).data!.customer.notificationPreferences;

async function signIn(page: Page, email: string, password: string) {
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const status = (page: Page) => page.getByTestId('notification-save-status').textContent();

describe('settings without JavaScript', () => {
  for (const viewport of VIEWPORTS) {
    it(`saves notification settings, only what was changed, at ${viewport.width}px`, async () => {
      const me = await freshCustomer();
      const context: BrowserContext = await browser.newContext({ javaScriptEnabled: false, viewport });
      try {
        const page = await context.newPage();
        await page.goto(at('/account/settings'));
        await page.waitForURL(at(`/sign-in?next=${encodeURIComponent('/account/settings')}`));
        await signIn(page, me.email, me.password);
        await page.waitForURL(at('/account/settings'));
        // The settings came with the page.
        await page.getByTestId('notification-form').waitFor();
        expect(await page.getByTestId('factor-state').textContent()).toContain('Off');

        await page.getByLabel('Language of our messages').selectOption('es');
        await page.getByRole('checkbox', { name: 'Emails about outages' }).uncheck();
        await page.getByRole('checkbox', { name: 'Hold texts during quiet hours' }).check();
        await page.getByLabel('From').fill('22:00');
        await page.getByLabel('Until').fill('06:30');
        await page.getByRole('button', { name: 'Save notification settings' }).click();
        await expect.poll(() => status(page)).toBe('Saved.');
        expect(await preferences(me.id)).toMatchObject({ language: 'es', email: { tickets: true, visits: true, outages: false }, quietHours: { start: '22:00', end: '06:30' } });
        // The saved values are what the page shows now.
        expect(await page.getByRole('checkbox', { name: 'Emails about outages' }).isChecked()).toBe(false);
        expect(await page.getByLabel('From').inputValue()).toBe('22:00');

        // Another tab turns visit emails off; this page, still showing them on, changes only the time zone.
        const other = await context.newPage();
        await other.goto(at('/account/settings'));
        await other.getByRole('checkbox', { name: 'Emails about visits' }).uncheck();
        await other.getByRole('button', { name: 'Save notification settings' }).click();
        await expect.poll(() => status(other)).toBe('Saved.');
        await other.close();
        expect(await page.getByRole('checkbox', { name: 'Emails about visits' }).isChecked()).toBe(true);
        await page.getByLabel('Time zone').selectOption('America/Chicago');
        await page.getByRole('button', { name: 'Save notification settings' }).click();
        await expect.poll(() => status(page)).toBe('Saved.');
        expect(await preferences(me.id)).toMatchObject({ timeZone: 'America/Chicago', email: { tickets: true, visits: false, outages: false } });
        expect(await page.getByTestId('effective-zone').textContent()).toContain('America/Chicago');

        // Quiet hours that end when they start: told at the field, what was typed kept, nothing saved.
        await page.getByLabel('Until').fill('22:00');
        await page.getByRole('button', { name: 'Save notification settings' }).click();
        const fieldError = page.locator('#error-quietHours-end');
        await expect.poll(() => fieldError.textContent()).toContain('must end at another time');
        expect(await page.getByLabel('Until').getAttribute('aria-invalid')).toBe('true');
        expect(await page.getByLabel('Until').inputValue()).toBe('22:00');
        expect(await status(page)).toContain('Not saved');
        expect((await preferences(me.id)).quietHours).toEqual({ start: '22:00', end: '06:30' });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, 'the settings page scrolls sideways').toBeLessThanOrEqual(0);
        await page.screenshot({ path: `${screenshots}settings-noscript-${viewport.name}.png`, fullPage: true });
      } finally {
        await context.close();
      }
    });
  }

  it('turns two-step sign-in on and off, then a new password and "sign out everywhere" end the session', async () => {
    const me = await freshCustomer();
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(at('/sign-in'));
      await signIn(page, me.email, me.password);
      await page.getByTestId('customer-name').waitFor();
      await page.goto(at('/account/settings'));

      // The secret is shown in the answer to the post that began the set-up, and again after a refused code.
      await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
      const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
      const totp = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
      const wrong = totp.generate() === '000000' ? '111111' : '000000';
      await page.fill('input[name=totp]', wrong);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.locator('#factor-error').waitFor();
      expect((await page.getByTestId('totp-secret').textContent())!.trim()).toBe(secret);
      expect(await page.getByTestId('factor-state').textContent()).toContain('Off');
      await page.fill('input[name=totp]', totp.generate());
      await page.getByRole('button', { name: 'Confirm' }).click();
      await expect.poll(() => page.getByTestId('factor-state').textContent()).toContain('On');
      // This browser passed its second factor in confirming: its pages keep loading.
      await page.goto(at('/'));
      await page.getByTestId('customer-name').waitFor();
      await page.goto(at('/account/settings'));
      await page.fill('input[name=totp]', totp.generate({ timestamp: Date.now() + 30_000 }));
      await page.getByRole('button', { name: 'Turn off two-step sign-in' }).click();
      await expect.poll(() => page.getByTestId('factor-state').textContent()).toContain('Off');
      const security = await gql(gateway, '{ accountSecurity { totpEnabled } }', {}, { token: await emulatorIdToken(me.email, 'skyline') });
      expect(security.data?.accountSecurity).toEqual({ totpEnabled: false });

      // A new password: mistyped twice differently is refused at once; then every session ends.
      const newPassword = `new-good-password-${unique()}`;
      await page.fill('input[name=currentPassword]', me.password);
      await page.fill('input[name=newPassword]', newPassword);
      await page.fill('input[name=repeatPassword]', `${newPassword}x`);
      await page.getByRole('button', { name: 'Change password' }).click();
      expect(await page.getByRole('alert').allTextContents()).toContain('The new passwords do not match.');
      await page.fill('input[name=currentPassword]', me.password);
      await page.fill('input[name=newPassword]', newPassword);
      await page.fill('input[name=repeatPassword]', newPassword);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.waitForURL((u) => u.pathname === '/sign-in');
      expect(await page.getByTestId('sign-in-notice').textContent()).toContain('Sign in with the new password');
      await page.goto(at('/account/settings'));
      await page.waitForURL((u) => u.pathname === '/sign-in');
      await signIn(page, me.email, me.password);
      expect(await page.getByTestId('sign-in-error').textContent()).toBeTruthy();
      await signIn(page, me.email, newPassword);
      await page.getByTestId('customer-name').waitFor();

      await page.goto(at('/account/settings'));
      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      await page.waitForURL((u) => u.pathname === '/sign-in');
      expect(await page.getByTestId('sign-in-notice').textContent()).toContain('signed out on every device');
      await page.goto(at('/account/settings'));
      await page.waitForURL((u) => u.pathname === '/sign-in');
    } finally {
      await context.close();
    }
  });
});
