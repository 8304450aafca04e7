/**
 * The portal without JavaScript: signing in posts to the portal's server, which keeps the session
 * in an httpOnly cookie and renders pages with the customer's data in the first response; forms
 * are plain posts. The same pages work with JavaScript, where the forms are enhanced.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    portalPort: number;
    gatewayUrl: string;
  }
}

const port = inject('portalPort');
const gateway = inject('gatewayUrl');
/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

async function openTicketAsBob(title: string): Promise<string> {
  const token = await emulatorIdToken('bob@skyline.example', 'skyline');
  const r = await gql(gateway, `mutation ($input: OpenTicketInput!) { openTicket(input: $input) { id } }`, { input: { title, description: 'Opened for a test.', category: 'OTHER', clientMutationId: randomUUID() } }, { token });
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.openTicket.id as string;
}
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
    // The sign-in page signs in with its own plain form, keeping where to return.
    await page.waitForURL(/\/sign-in\?next=%2Fservice$/);
    expect(await page.locator('form:has(input[name=email]) input[name=next]').inputValue()).toBe('/service');
    await page.fill('input[name=email]', 'bob@skyline.example');
    await page.fill('input[name=password]', PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/service$/);
    expect(await page.locator('[data-testid=plan-name]').textContent()).toBe('Valley 50');
    // A session of one WISP's portal is not one at another's.
    await page.goto(at('/service', 'prairie'));
    await page.waitForURL(/prairie\.localhost.*\/sign-in\?next=%2Fservice$/);
    await context.close();
  });
});

describe('a ticket without JavaScript', () => {
  it('opens, takes a message with a photo exactly once, and cancels only after asking', async () => {
    const title = `No-script ticket ${randomUUID().slice(0, 8)}`;
    const id = await openTicketAsBob(title);
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    const page = await noScriptSignIn(context, 'bob@skyline.example', `/tickets/${id}`);
    await page.waitForURL(new RegExp(`/tickets/${id}$`));
    expect(await page.getByTestId('ticket-title').textContent()).toBe(title);

    const words = `Sent with no scripts ${randomUUID().slice(0, 8)}`;
    await page.fill('[data-testid=message-input]', words);
    await page.setInputFiles('[data-testid=message-files]', { name: 'dish.png', mimeType: 'image/png', buffer: PNG });
    await page.getByTestId('send-message').click();
    await page.getByText(words).waitFor();
    const mine = page.locator('[data-testid=message]', { hasText: words });
    expect(await mine.getByTestId('attachment-link').textContent()).toBe('dish.png');
    // The file comes through the portal's server, as the session's login.
    const href = (await mine.getByTestId('attachment-link').getAttribute('href'))!;
    const viewer = await context.newPage();
    const file = (await viewer.goto(new URL(href, page.url()).toString()))!;
    expect(file.status()).toBe(200);
    expect(Buffer.from(await file.body()).equals(PNG)).toBe(true);
    await viewer.close();
    // Resubmitting the same post (a reload after sending) never adds a second copy.
    await page.reload();
    expect(await page.locator('[data-testid=message]', { hasText: words }).count()).toBe(1);
    const agent = await emulatorIdToken('agent@skyline.example', 'skyline');
    const seen = await gql(gateway, `query ($id: ID!) { workOrder(id: $id) { messages(first: 20) { edges { node { body } } } } }`, { id }, { token: agent });
    expect((seen.data!.workOrder.messages.edges as { node: { body: string } }[]).filter((e) => e.node.body === words)).toHaveLength(1);

    await page.getByTestId('cancel-ticket').click();
    const confirm = page.getByTestId('cancel-confirm');
    expect(await confirm.textContent()).toContain('Are you sure');
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    expect(await page.getByTestId('status-badge').first().getAttribute('data-status')).toBe('OPEN');
    await page.getByTestId('cancel-ticket').click();
    await page.getByTestId('cancel-confirm').getByRole('button', { name: 'Cancel ticket' }).click();
    await page.getByTestId('status-badge').first().waitFor();
    expect(await page.getByTestId('status-badge').first().getAttribute('data-status')).toBe('CANCELLED');
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => `${e.tagName}.${e.className}`).slice(0, 8));
    expect(wide, 'elements past the right edge').toEqual([]);
    await page.screenshot({ path: `${screenshots}noscript-ticket.png`, fullPage: true });
    await context.close();
  });

  it('shows another customer’s ticket as one we could not find, and its files not at all', async () => {
    const id = await openTicketAsBob(`Bob only ${randomUUID().slice(0, 8)}`);
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await noScriptSignIn(context, 'alice@skyline.example', `/tickets/${id}`);
    await page.waitForURL(new RegExp(`/tickets/${id}$`));
    expect(await page.getByTestId('ticket-error').getByRole('heading').textContent()).toBe('We couldn’t find that ticket');
    expect((await page.goto(at('/files/0123456789abcdef01234567')))?.status()).toBe(404);
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
