/**
 * Getting a login with JavaScript off: creating one with the account number and phone (a refused
 * attempt keeps what was typed and marks the field; a retry of the same post signs in rather than
 * failing), asking for a password link, and choosing a password from it. The server does all of
 * it; the browser only posts forms.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { agent, api, createCustomer, mailTo, oobCodeOf, passwordSignIn, unique } from '../../tests/portalAccounts.ts';
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
const at = (path = '/') => `http://skyline.localhost:${port}${path}`;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let browser: Browser;

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  mkdirSync(screenshots, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

async function withoutScripts<T>(viewport: { width: number; height: number }, body: (page: Page) => Promise<T>): Promise<T> {
  const context: BrowserContext = await browser.newContext({ javaScriptEnabled: false, viewport });
  try {
    return await body(await context.newPage());
  } finally {
    await context.close();
  }
}

/** A customer record without a login, as a WISP importing its customers would have. */
async function customerWithoutLogin() {
  const n = unique();
  const phone = `+1555${String(parseInt(n, 16) % 10_000_000).padStart(7, '0')}`;
  const customer = await createCustomer(await agent(), { accountNumber: `SKY-NS${n}`, name: `Noa Noscript ${n}`, phone, serviceStatus: 'ACTIVE' });
  return { ...customer, phone, email: `noa-${n}@example.com` };
}

async function fillSignUp(page: Page, values: { accountNumber: string; phone: string; email: string; password: string }) {
  await page.fill('input[name="accountNumber"]', values.accountNumber);
  await page.fill('input[name="phone"]', values.phone);
  await page.fill('input[name="email"]', values.email);
  await page.fill('input[name="password"]', values.password);
  await page.getByRole('button', { name: 'Create login' }).click();
}

const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

describe('getting a login without JavaScript', () => {
  it('creates a login from the account number and phone, keeps what was typed when refused, and a retried post signs in', async () => {
    const me = await customerWithoutLogin();
    const password = `pw-${unique()}-${unique()}`;
    await withoutScripts(DESKTOP, async (page) => {
      await page.goto(at('/sign-in'));
      await page.getByRole('link', { name: /Create your login/ }).click();
      await page.waitForURL(at('/sign-up'));
      // The proof asked for is in the address.
      await page.getByRole('link', { name: 'Invite code' }).click();
      await page.waitForURL(at('/sign-up?method=invite'));
      expect(await page.locator('input[name="inviteCode"]').count()).toBe(1);
      expect(await page.locator('input[name="accountNumber"]').count()).toBe(0);
      await page.getByRole('link', { name: 'Account number' }).click();
      await page.waitForURL(at('/sign-up?method=account'));

      // A phone number that is not the account's: refused, told, and nothing typed is lost but the password.
      await fillSignUp(page, { accountNumber: me.accountNumber, phone: '+1 555 000 0000', email: me.email, password });
      await expect.poll(() => page.getByTestId('sign-up-error').textContent()).toContain('could not match');
      expect(await page.locator('input[name="accountNumber"]').inputValue()).toBe(me.accountNumber);
      expect(await page.locator('input[name="accountNumber"]').getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('input[name="email"]').inputValue()).toBe(me.email);
      expect(await page.locator('input[name="password"]').inputValue()).toBe('');
      expect((await passwordSignIn(me.email, password, 'skyline')).error).toBeTruthy();

      await fillSignUp(page, { accountNumber: me.accountNumber, phone: me.phone, email: me.email, password });
      await page.waitForURL(at('/'));
      // The dashboard came from the server, as this login, in the first response.
      expect(await page.getByTestId('customer-name').textContent()).toContain(me.name);
      await page.screenshot({ path: `${screenshots}sign-up-noscript-done.png`, fullPage: true });
    });

    // The same post again (a double submit, an answer lost on the way): signed in, one login.
    await withoutScripts(DESKTOP, async (page) => {
      await page.goto(at('/sign-up'));
      await fillSignUp(page, { accountNumber: me.accountNumber, phone: me.phone, email: me.email, password });
      await page.waitForURL(at('/'));
      expect(await page.getByTestId('customer-name').textContent()).toContain(me.name);
    });
    // Someone who does not know the password gets no further than "already has a login".
    await withoutScripts(DESKTOP, async (page) => {
      await page.goto(at('/sign-up'));
      await fillSignUp(page, { accountNumber: me.accountNumber, phone: me.phone, email: me.email, password: 'not-the-password' });
      await expect.poll(() => page.getByTestId('sign-up-error').textContent()).toContain('already has a login');
      expect(page.url()).toBe(at('/sign-up'));
      expect(await page.getByTestId('customer-name').count()).toBe(0);
    });
    const r = await api(`query ($id: ID!) { customer(id: $id) { portalAccess { status email } } }`, { id: me.id }, await agent());
    expect(r.data?.customer.portalAccess).toMatchObject({ status: 'ACTIVE', email: me.email });
  });

  it('fits a phone, and asks for a password link and sets a new password from it', async () => {
    const me = await customerWithoutLogin();
    const first = `pw-${unique()}-${unique()}`;
    await withoutScripts(PHONE, async (page) => {
      await page.goto(at('/sign-up'));
      expect(await sideways(page), 'the sign-up page scrolls sideways').toBeLessThanOrEqual(0);
      await fillSignUp(page, { accountNumber: me.accountNumber, phone: me.phone, email: me.email, password: first });
      await page.waitForURL(at('/'));
    });

    await withoutScripts(PHONE, async (page) => {
      await page.goto(at('/sign-in'));
      await page.getByRole('link', { name: 'Forgot password?' }).click();
      await page.waitForURL(at('/forgot-password'));
      await page.fill('input[name="email"]', me.email);
      await page.getByRole('button', { name: 'Send link' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toContain('emailed it a link');
      expect(await sideways(page), 'the forgot-password page scrolls sideways').toBeLessThanOrEqual(0);
    });

    const mail = await mailTo(me.email, 'password-reset');
    const { url } = oobCodeOf(mail.text);
    const chosen = `pw-${unique()}-${unique()}`;
    await withoutScripts(PHONE, async (page) => {
      await page.goto(url.href);
      // The server checked the link before sending the page: it names the login.
      expect(await page.getByTestId('set-password-email').textContent()).toBe(me.email);
      await page.fill('input[name="password"]', chosen);
      await page.fill('input[name="confirm"]', `${chosen}x`);
      await page.getByRole('button', { name: /Set password/ }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('not the same');
      expect(await page.locator('input[name="confirm"]').getAttribute('aria-invalid')).toBe('true');
      // Nothing was used up by the refusal.
      expect((await passwordSignIn(me.email, first, 'skyline')).token).toBeTruthy();

      await page.fill('input[name="password"]', chosen);
      await page.fill('input[name="confirm"]', chosen);
      await page.getByRole('button', { name: /Set password/ }).click();
      await page.waitForURL(at('/'));
      expect(await page.getByTestId('customer-name').textContent()).toContain(me.name);
      expect(await sideways(page), 'the dashboard scrolls sideways').toBeLessThanOrEqual(0);
      await page.screenshot({ path: `${screenshots}set-password-noscript-done.png`, fullPage: true });

      // The link works once; the old password no longer does.
      await page.goto(url.href);
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('expired or was already used');
      expect((await passwordSignIn(me.email, first, 'skyline')).error).toBeTruthy();
      expect((await passwordSignIn(me.email, chosen, 'skyline')).token).toBeTruthy();
    });
  });

  it("does not open another WISP's password link", async () => {
    const me = await customerWithoutLogin();
    const password = `pw-${unique()}-${unique()}`;
    await withoutScripts(DESKTOP, async (page) => {
      await page.goto(at('/sign-up'));
      await fillSignUp(page, { accountNumber: me.accountNumber, phone: me.phone, email: me.email, password });
      await page.waitForURL(at('/'));
      await page.goto(at('/forgot-password'));
      await page.fill('input[name="email"]', me.email);
      await page.getByRole('button', { name: 'Send link' }).click();
      await expect.poll(() => page.getByRole('status').textContent()).toContain('emailed it a link');
    });
    const { url } = oobCodeOf((await mailTo(me.email, 'password-reset')).text);
    await withoutScripts(DESKTOP, async (page) => {
      // Skyline's link at Prairie's portal: the code lives in Skyline's login pool only.
      await page.goto(`http://prairie.localhost:${port}/set-password${url.search}`);
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('expired or was already used');
      expect(await page.getByTestId('set-password-email').count()).toBe(0);
    });
    expect((await passwordSignIn(me.email, password, 'skyline')).token).toBeTruthy();
  });
});
