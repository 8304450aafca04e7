/**
 * What a customer runs into on their own pages: call-backs at a time already gone, a composer that
 * keeps the last photo, a ticket that is not theirs, staff screens, sign-in that forgets the page
 * asked for, and cancelling a ticket by a slip of the finger.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { workOrderId } from '../../tests/demo.ts';
import { launchChromium } from './browser.ts';

const port = inject('portalPort');
const gatewayUrl = inject('gatewayUrl');
const origin = `http://skyline.localhost:${port}`;
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));
const run = Date.now().toString(36);
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

/** A small real PNG, made here so the test needs no fixture file. */
function png(size = 16): Buffer {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = table[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.concat(Array.from({ length: size }, () => Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => [200, 60, 20]).flat())])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

async function fillSignIn(page: Page, email: string) {
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', 'demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signedIn(email: string, viewport = DESKTOP): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await fillSignIn(page, email);
  await expect.poll(() => page.locator('[data-testid=support-nav]').count(), { timeout: 20_000 }).toBe(1);
  return { context, page };
}

/** Opens a fresh ticket for alice through the API, so each check starts from an open ticket. */
async function openTicketForAlice(title: string): Promise<string> {
  const token = await emulatorIdToken('alice@skyline.example', 'skyline');
  const r = await gql(
    gatewayUrl,
    `mutation($input: OpenTicketInput!) { openTicket(input: $input) { id } }`,
    { input: { title, description: 'The router light is red.', category: 'EQUIPMENT', clientMutationId: randomUUID() } },
    { token },
  );
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.openTicket.id as string;
}

const overflows = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

/** `datetime-local` text for a moment relative to now, in the browser's own time zone. */
const localInput = (page: Page, offsetMs: number) =>
  page.evaluate((ms) => {
    const d = new Date(Date.now() + ms);
    const p = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
  }, offsetMs);

describe('call-back requests', () => {
  for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    it(`labels its fields and refuses a time already gone (${name})`, async () => {
      const { context, page } = await signedIn('alice@skyline.example', viewport);
      try {
        await page.goto(`${origin}/tickets`);
        const form = page.getByTestId('callback-form');
        await form.waitFor({ timeout: 15_000 });
        // Each field has a label a person can read, not only a placeholder.
        for (const text of ['Preferred time', 'Phone', 'What about?']) {
          const label = form.locator('label', { hasText: text });
          expect(await label.isVisible(), `visible label "${text}"`).toBe(true);
        }
        const time = form.getByLabel('Preferred time');
        // The picker starts at now: nothing earlier can be chosen.
        const min = await time.getAttribute('min');
        expect(min).toBeTruthy();
        expect(min! >= (await localInput(page, -120_000)) && min! <= (await localInput(page, 60_000)), `min ${min}`).toBe(true);

        await time.fill(await localInput(page, -2 * 3_600_000));
        await form.getByRole('button', { name: 'Request a call-back' }).click();
        await expect.poll(() => form.getByRole('alert').textContent(), { timeout: 5_000 }).toMatch(/future/i);
        expect(await page.getByTestId('callback-done').count()).toBe(0);
        expect(await overflows(page), 'the page scrolls sideways').toBe(false);
        await page.screenshot({ path: `${screenshots}callback-past-${name}.png`, fullPage: true });

        await time.fill(await localInput(page, 26 * 3_600_000));
        await form.getByRole('button', { name: 'Request a call-back' }).click();
        await expect.poll(() => page.getByTestId('callback-done').count(), { timeout: 15_000 }).toBe(1);
      } finally {
        await context.close();
      }
    });
  }

  it('is refused by the server for a past time with a coded error', async () => {
    const token = await emulatorIdToken('alice@skyline.example', 'skyline');
    const CB = `mutation($input: RequestCallbackInput!) { requestCallback(input: $input) { id } }`;
    const past = await gql(gatewayUrl, CB, { input: { preferredTime: new Date(Date.now() - 3_600_000).toISOString(), clientMutationId: randomUUID() } }, { token });
    expect(codes(past)).toEqual(['BAD_USER_INPUT']);
    expect(past.errors![0]!.extensions).toMatchObject({ field: 'preferredTime' });
    const soon = await gql(gatewayUrl, CB, { input: { preferredTime: new Date(Date.now() + 3_600_000).toISOString(), clientMutationId: randomUUID() } }, { token });
    expect(soon.errors).toBeUndefined();
  });
});

describe('the message composer', () => {
  it('lets go of the chosen photo once the message is sent', async () => {
    const id = await openTicketForAlice(`Photo of the radio ${run}`);
    const { context, page } = await signedIn('alice@skyline.example');
    try {
      await page.goto(`${origin}/tickets/${id}`);
      await page.getByTestId('message-input').waitFor({ timeout: 15_000 });
      await page.getByTestId('message-input').fill(`Here is a photo ${run}`);
      await page.setInputFiles('[data-testid=message-files]', { name: 'radio.png', mimeType: 'image/png', buffer: png() });
      await page.getByTestId('send-message').click();
      await expect.poll(() => page.getByTestId('message-body').allTextContents(), { timeout: 15_000 }).toContain(`Here is a photo ${run}`);
      await expect.poll(() => page.getByTestId('message-input').inputValue()).toBe('');
      // The file picker no longer names radio.png, so the next message does not look like it carries it.
      await expect.poll(() => page.getByTestId('message-files').evaluate((i: HTMLInputElement) => ({ files: i.files?.length ?? 0, value: i.value }))).toEqual({ files: 0, value: '' });
    } finally {
      await context.close();
    }
  });
});

/**
 * Holds back the portal's scripts on `page` until `release` is called, so a test can type into
 * the server's page before it comes to life, as on a slow phone link.
 */
async function holdScripts(page: Page): Promise<() => Promise<void>> {
  const held: (() => void)[] = [];
  let releasing = false;
  await page.route(/\/_app\/immutable\/.*\.js$/, (route) => {
    if (releasing) return void route.continue();
    held.push(() => void route.continue());
  });
  return async () => {
    releasing = true;
    for (const go of held.splice(0)) go();
    await page.unroute(/\/_app\/immutable\/.*\.js$/);
  };
}

describe('typing before the page has started', () => {
  it('keeps a message and a new ticket typed while the scripts were still on their way', async () => {
    const id = await openTicketForAlice(`Typed early ${run}`);
    const { context, page } = await signedIn('alice@skyline.example', PHONE);
    try {
      // The ticket page: the server's composer is typed into before its script runs.
      let release = await holdScripts(page);
      await page.goto(`${origin}/tickets/${id}`, { waitUntil: 'domcontentloaded' });
      await page.getByTestId('message-input').fill(`Written early ${run}`);
      // Once the page runs, it opens its live stream: by then it has taken over the composer.
      let started = page.waitForRequest((r) => new URL(r.url()).pathname === '/live', { timeout: 15_000 });
      await release();
      await started;
      await page.waitForTimeout(300);
      expect(await page.getByTestId('message-input').inputValue()).toBe(`Written early ${run}`);
      await page.getByTestId('send-message').click();
      await expect.poll(() => page.getByTestId('message-body').allTextContents(), { timeout: 15_000 }).toContain(`Written early ${run}`);
      await expect.poll(() => page.getByTestId('message-input').inputValue()).toBe('');

      // The new-ticket form: its title and description likewise.
      release = await holdScripts(page);
      await page.goto(`${origin}/tickets/new?other=1`, { waitUntil: 'domcontentloaded' });
      await page.getByTestId('ticket-title').fill(`Early title ${run}`);
      await page.getByTestId('ticket-description').fill('Typed before the page started.');
      started = page.waitForRequest((r) => new URL(r.url()).pathname === '/live', { timeout: 15_000 });
      await release();
      await started;
      await page.waitForTimeout(300);
      expect(await page.getByTestId('ticket-title').inputValue()).toBe(`Early title ${run}`);
      expect(await page.getByTestId('ticket-description').inputValue()).toBe('Typed before the page started.');
    } finally {
      await context.close();
    }
  });
});

describe('a ticket that is not the customer’s', () => {
  it('reads as a ticket we could not find, with a way back, and never says "work order"', async () => {
    const { context, page } = await signedIn('alice@skyline.example');
    try {
      // Bob's ticket, a well-formed id of nothing, and an id that is not one at all.
      for (const id of [workOrderId('skyline', 1002), '0123456789abcdef01234567', 'nonsense']) {
        await page.goto(`${origin}/tickets/${id}`);
        const box = page.getByTestId('ticket-error');
        await box.waitFor({ timeout: 15_000 });
        expect(await box.getByRole('heading').textContent()).toBe('We couldn’t find that ticket');
        expect(await box.getByRole('link', { name: /my tickets/i }).getAttribute('href')).toBe('/tickets');
        expect((await page.locator('body').innerText()).toLowerCase()).not.toContain('work order');
      }
      await page.screenshot({ path: `${screenshots}ticket-not-found.png`, fullPage: true });
      await page.getByTestId('ticket-error').getByRole('link', { name: /my tickets/i }).click();
      await page.waitForURL(`${origin}/tickets`);
    } finally {
      await context.close();
    }
  });
});

const STAFF_PAGES = ['/staff/queue', '/staff/customers', `/staff/tickets/${workOrderId('skyline', 1001)}`, '/staff/outbox', '/staff/audit', '/admin/staff', '/admin/integrations', '/admin/branding'];

describe('staff screens', () => {
  it('are not shown to a customer', async () => {
    const { context, page } = await signedIn('alice@skyline.example');
    try {
      for (const path of STAFF_PAGES) {
        await page.goto(`${origin}${path}`);
        await expect.poll(() => page.getByRole('alert').allTextContents(), { timeout: 15_000 }).toEqual([expect.stringContaining('not available')]);
        // Nothing of the staff screen around it: no queue, no search, no editor, no staff heading.
        const main = page.locator('main');
        expect(await main.locator('input, textarea, select, [data-testid=queue-row], [data-testid=preview]').count(), path).toBe(0);
        expect(await main.getByRole('heading', { level: 1 }).allTextContents(), path).toEqual(['Not available']);
        expect(await page.getByRole('alert').getByRole('link').getAttribute('href')).toBe('/');
      }
      await page.screenshot({ path: `${screenshots}staff-page-customer.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('send a signed-out visitor to sign in, and back to the screen afterwards', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/staff/queue`);
      await page.locator('input[name="email"]').waitFor({ timeout: 15_000 });
      expect(await page.locator('[data-testid=queue-search]').count()).toBe(0);
      await fillSignIn(page, 'agent@skyline.example');
      await page.waitForURL(`${origin}/staff/queue`, { timeout: 20_000 });
      await page.locator('[data-testid=queue-search]').waitFor({ timeout: 15_000 });
    } finally {
      await context.close();
    }
  });
});

describe('signing in from a link', () => {
  it('returns to the ticket that was asked for', async () => {
    const id = await openTicketForAlice(`Back to this one ${run}`);
    const context = await browser.newContext({ viewport: PHONE });
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/tickets/${id}`);
      // Either straight to the sign-in form, or via a sign-in link.
      const email = page.locator('input[name="email"]');
      const link = page.getByRole('link', { name: 'Sign in' });
      await expect.poll(async () => (await email.count()) + (await link.count()), { timeout: 15_000 }).toBeGreaterThan(0);
      if ((await email.count()) === 0) await link.click();
      await fillSignIn(page, 'alice@skyline.example');
      await page.waitForURL(`${origin}/tickets/${id}`, { timeout: 20_000 });
      await expect.poll(() => page.getByTestId('ticket-title').textContent(), { timeout: 15_000 }).toBe(`Back to this one ${run}`);
    } finally {
      await context.close();
    }
  });

  for (const next of ['https://evil.example/tickets', '//evil.example/tickets', '/\\evil.example/tickets']) {
    it(`stays on the portal for next=${next}`, async () => {
      const context = await browser.newContext({ viewport: DESKTOP });
      try {
        const page = await context.newPage();
        await page.goto(`${origin}/?next=${encodeURIComponent(next)}`);
        await fillSignIn(page, 'alice@skyline.example');
        await expect.poll(() => page.locator('[data-testid=support-nav]').count(), { timeout: 20_000 }).toBe(1);
        await page.waitForTimeout(500);
        const url = new URL(page.url());
        expect(url.origin).toBe(origin);
        expect(url.pathname).toBe('/');
      } finally {
        await context.close();
      }
    });
  }
});

describe('cancelling a ticket', () => {
  it('asks first, and "Keep it" leaves the ticket open', async () => {
    const id = await openTicketForAlice(`Maybe cancel ${run}`);
    const { context, page } = await signedIn('alice@skyline.example', PHONE);
    try {
      await page.goto(`${origin}/tickets/${id}`);
      await page.getByTestId('cancel-ticket').click();
      const confirm = page.getByTestId('cancel-confirm');
      await confirm.waitFor({ timeout: 5_000 });
      expect(await confirm.textContent()).toContain('Are you sure');
      expect(await overflows(page), 'the page scrolls sideways').toBe(false);
      await page.screenshot({ path: `${screenshots}ticket-cancel-confirm-phone.png`, fullPage: true });
      await confirm.getByRole('button', { name: 'Keep it' }).click();
      expect(await confirm.count()).toBe(0);
      await page.reload();
      await page.getByTestId('cancel-ticket').waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('status-badge').first().getAttribute('data-status')).toBe('OPEN');

      await page.getByTestId('cancel-ticket').click();
      await page.getByTestId('cancel-confirm').getByRole('button', { name: 'Cancel ticket' }).click();
      await expect.poll(() => page.getByTestId('status-badge').first().getAttribute('data-status'), { timeout: 15_000 }).toBe('CANCELLED');
      expect(await page.getByTestId('cancel-ticket').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
