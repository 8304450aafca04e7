/**
 * The portal without JavaScript: signing in posts to the portal's server, which keeps the session
 * in an httpOnly cookie and renders pages with the customer's data in the first response; forms
 * are plain posts. The same pages work with JavaScript, where the forms are enhanced.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    portalPort: number;
  }
}

const port = inject('portalPort');
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));
const at = (path = '/', slug = 'skyline') => `http://${slug}.localhost:${port}${path}`;
const PASSWORD = process.env.DEMO_PASSWORD ?? 'demo-password';

let browser: Browser;

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  mkdirSync(screenshots, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

async function noScriptSignIn(context: BrowserContext, email: string, next = '/service') {
  const page = await context.newPage();
  await page.goto(at(`/sign-in?next=${encodeURIComponent(next)}`));
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

describe('without JavaScript', () => {
  it('signs in, lands on the page asked for, and saves a form', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await noScriptSignIn(context, 'bob@skyline.example');
    await page.waitForURL(/\/service$/);
    expect(await page.locator('[data-testid=plan-name]').textContent()).toBe('Valley 50');
    expect(await page.locator('[data-testid=equipment-model]').textContent()).toBe('Ubiquiti LiteBeam 5AC');
    expect(await page.locator('[data-testid=equipment-last-seen]').textContent()).toMatch(/ago|just now/);

    // The session is an httpOnly, SameSite=Lax cookie the page's scripts could never read.
    const session = (await context.cookies()).find((c) => c.name === 'wisp_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });

    await page.fill('input[name=phone]', '+1 555 010 1002');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    expect(await page.inputValue('input[name=phone]')).toMatch(/555/);
    await page.screenshot({ path: `${screenshots}noscript-service.png`, fullPage: true });
    await context.close();
  });

  it('says why a sign-in failed, keeps the email, and never follows a return address off the portal', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(at('/sign-in'));
    await page.fill('input[name=email]', 'bob@skyline.example');
    await page.fill('input[name=password]', 'not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByTestId('sign-in-error').textContent()).toBe('Email or password is incorrect.');
    expect(await page.inputValue('input[name=email]')).toBe('bob@skyline.example');
    expect((await context.cookies()).some((c) => c.name === 'wisp_session')).toBe(false);

    for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
      const c = await browser.newContext({ javaScriptEnabled: false });
      const p = await noScriptSignIn(c, 'bob@skyline.example', next);
      await p.waitForLoadState();
      expect(new URL(p.url()).host, next).toBe(`skyline.localhost:${port}`);
      await c.close();
    }
    await context.close();
  });

  it('sends a signed-out visitor of a page to sign in, and back there after', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(at('/service'));
    await page.waitForURL(/\/sign-in\?next=%2Fservice$/);
    await page.fill('input[name=email]', 'bob@skyline.example');
    await page.fill('input[name=password]', PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/service$/);
    expect(await page.locator('[data-testid=plan-name]').textContent()).toBe('Valley 50');
    // A session of one WISP's portal is not one at another's.
    await page.goto(at('/service', 'prairie'));
    await page.waitForURL(/prairie\.localhost.*\/sign-in/);
    await context.close();
  });
});

describe('with JavaScript', () => {
  it('signing in on the start page gives the server the session, so server-rendered pages show the account', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(at('/'));
    await page.fill('input[name=email]', 'bob@skyline.example');
    await page.fill('input[name=password]', PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: /My service/ }).click();
    await page.waitForURL(/\/service$/);
    expect(await page.locator('[data-testid=plan-name]').textContent()).toBe('Valley 50');

    // Enhanced: saving stays on the page without a full reload.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    await context.close();
  });
});
