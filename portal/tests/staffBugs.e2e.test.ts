/**
 * Everyday portal use by agents and customers: a status an agent picked survives a live update,
 * the staff pages fit a phone, whole list rows open their item, filters live in the address,
 * revoking portal access asks first, keyboard users can skip to the content and land on each new
 * page's heading, and the outage banner leads to the outage.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
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
const origin = `http://skyline.localhost:${port}`;
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));
const tag = () => randomUUID().slice(0, 8);
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
let browser: Browser;

const OPEN = `mutation($input: OpenTicketInput!) { openTicket(input: $input) { id number } }`;
const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }`;
const STATUS = `mutation($id: ID!, $status: WorkOrderStatus!) { changeWorkOrderStatus(id: $id, status: $status) { status } }`;

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  mkdirSync(screenshots, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

async function signedIn<T>(email: string, run: (page: Page, context: BrowserContext) => Promise<T>, viewport = DESKTOP): Promise<T> {
  const context = await browser.newContext({ viewport });
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', 'demo-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('[data-testid=support-nav]').count(), { timeout: 20_000 }).toBe(1);
    return await run(page, context);
  } finally {
    await context.close();
  }
}

async function openTicket(title: string, as = 'alice@skyline.example') {
  const token = await emulatorIdToken(as, 'skyline');
  const r = await gql(gateway, OPEN, { input: { title, description: 'Filed for a browser check.', category: 'SLOW_SPEED', clientMutationId: randomUUID() } }, { token });
  expect(r.errors).toBeUndefined();
  return { ...(r.data!.openTicket as { id: string; number: string }), token };
}

/** How far the page is wider than the window, and any card, heading or row closer than 8px to a side. */
const fit = (page: Page) =>
  page.evaluate(() => {
    const width = window.innerWidth;
    const tooClose = [...document.querySelectorAll('main h1, main .card, [data-testid=queue-row], [data-testid=ticket-row]')]
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && (r.left < 8 || r.right > width - 8))
      .map(({ el, r }) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} ${Math.round(r.left)}–${Math.round(r.right)}`);
    return { overflow: document.documentElement.scrollWidth - width, tooClose };
  });

/** A click in the middle of an element, as a person would make it (whatever lies on top there gets it). */
async function clickOn(page: Page, selector: string) {
  // Other tests' call-backs and notifications above the list can push the row below the fold.
  await page.locator(selector).first().scrollIntoViewIfNeeded();
  const box = (await page.locator(selector).first().boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

/** The link that a click at the given spot of an element would follow. */
const linkAt = (page: Page, selector: string, where: 'left' | 'middle' | 'right') =>
  page.locator(selector).first().evaluate((el, where) => {
    // A point off screen hits nothing: look at the row where a person would see it.
    el.scrollIntoView({ block: 'center' });
    const r = el.getBoundingClientRect();
    const x = where === 'left' ? r.left + 4 : where === 'right' ? r.right - 6 : r.left + r.width / 2;
    const hit = document.elementFromPoint(x, r.top + r.height / 2);
    return hit?.closest('a')?.getAttribute('href') ?? null;
  }, where);

describe('staff ticket page', () => {
  it("keeps the agent's chosen status while the customer writes, and applies that one", async () => {
    const ticket = await openTicket(`Slow evenings ${tag()}`);
    await signedIn('agent@skyline.example', async (page) => {
      await page.goto(`${origin}/staff/tickets/${ticket.id}`);
      await expect.poll(() => page.locator('[data-testid=ticket-number]').textContent(), { timeout: 20_000 }).toBe(ticket.number);
      await expect.poll(() => page.locator('[data-testid=staff-ticket-page] [data-testid=live-status]').getAttribute('data-status'), { timeout: 20_000 }).toBe('live');
      // The first option is "In progress": choose something else.
      await page.selectOption('[data-testid=status-select]', 'SCHEDULED');

      const message = `Still slow tonight ${tag()}`;
      const sent = await gql(gateway, SEND, { input: { workOrderId: ticket.id, body: message, clientMutationId: randomUUID() } }, { token: ticket.token });
      expect(sent.errors).toBeUndefined();
      await expect.poll(() => page.locator('[data-testid=messages]').textContent(), { timeout: 15_000 }).toContain(message);
      expect(await page.locator('[data-testid=status-select]').inputValue()).toBe('SCHEDULED');

      await page.click('[data-testid=change-status]');
      await expect.poll(() => page.locator('[data-testid=staff-ticket-page] header [data-testid=status-badge]').getAttribute('data-status'), { timeout: 15_000 }).toBe('SCHEDULED');
      // After a change the choice starts again from the new status's options.
      expect(await page.locator('[data-testid=status-select]').inputValue()).toBe('IN_PROGRESS');
    });
  });

  it('drops a chosen status that the ticket no longer allows after someone else moved it', async () => {
    const ticket = await openTicket(`Router reboots ${tag()}`);
    const agent = await emulatorIdToken('agent@skyline.example', 'skyline');
    await signedIn('agent@skyline.example', async (page) => {
      await page.goto(`${origin}/staff/tickets/${ticket.id}`);
      await expect.poll(() => page.locator('[data-testid=staff-ticket-page] [data-testid=live-status]').getAttribute('data-status'), { timeout: 20_000 }).toBe('live');
      await page.selectOption('[data-testid=status-select]', 'CANCELLED');
      // A colleague resolves it; "Cancelled" is not a move from Resolved.
      expect((await gql(gateway, STATUS, { id: ticket.id, status: 'RESOLVED' }, { token: agent })).errors).toBeUndefined();
      await expect.poll(() => page.locator('[data-testid=staff-ticket-page] header [data-testid=status-badge]').getAttribute('data-status'), { timeout: 15_000 }).toBe('RESOLVED');
      expect(await page.locator('[data-testid=status-select] option').allTextContents()).toEqual(['Closed', 'In progress']);
      expect(await page.locator('[data-testid=status-select]').inputValue()).toBe('CLOSED');
    });
  });
});

describe('staff pages on a phone', () => {
  for (const viewport of [PHONE, DESKTOP]) {
    it(`the queue and a work order fit ${viewport.width}px with a margin on both sides`, async () => {
      const ticket = await openTicket(`Signal drops every afternoon when the wind picks up on the ridge ${tag()}`);
      await signedIn(
        'agent@skyline.example',
        async (page) => {
          await page.goto(`${origin}/staff/queue`);
          await expect.poll(() => page.locator('[data-testid=queue-row]').count(), { timeout: 20_000 }).toBeGreaterThan(0);
          await page.screenshot({ path: `${screenshots}staff-queue-${viewport.width}.png`, fullPage: true });
          expect(await fit(page)).toEqual({ overflow: 0, tooClose: [] });

          await page.goto(`${origin}/staff/tickets/${ticket.id}`);
          await expect.poll(() => page.locator('[data-testid=ticket-number]').textContent(), { timeout: 20_000 }).toBe(ticket.number);
          await page.screenshot({ path: `${screenshots}staff-ticket-${viewport.width}.png`, fullPage: true });
          expect(await fit(page)).toEqual({ overflow: 0, tooClose: [] });
        },
        viewport,
      );
    });
  }
});

describe('list rows', () => {
  it('open their item from anywhere on the row, through a real link', async () => {
    const ticket = await openTicket(`Whole row ${tag()}`);
    await signedIn('agent@skyline.example', async (page) => {
      await page.goto(`${origin}/staff/queue`);
      await expect.poll(() => page.locator('[data-testid=queue-row]').count(), { timeout: 20_000 }).toBeGreaterThan(0);
      await page.fill('[data-testid=queue-search]', ticket.number);
      await page.press('[data-testid=queue-search]', 'Enter');
      await expect.poll(() => page.locator('[data-testid=queue-row]').count(), { timeout: 20_000 }).toBe(1);
      for (const where of ['left', 'middle', 'right'] as const) expect(await linkAt(page, '[data-testid=queue-row]', where)).toBe(`/staff/tickets/${ticket.id}`);
      await clickOn(page, '[data-testid=queue-row] td:last-child');
      await page.waitForURL(`${origin}/staff/tickets/${ticket.id}`);

      await page.goto(`${origin}/staff/customers`);
      await page.fill('input[name="search"]', 'carol');
      await page.getByRole('button', { name: 'Search' }).click();
      await expect.poll(() => page.locator('[data-testid=customer-row]').count(), { timeout: 15_000 }).toBe(1);
      const href = await page.locator('[data-testid=customer-row] a').getAttribute('href');
      for (const where of ['middle', 'right'] as const) expect(await linkAt(page, '[data-testid=customer-row]', where)).toBe(href);
      // The search is in the address; the row's checkbox still selects rather than opens.
      const searched = page.url();
      expect(new URL(searched).searchParams.get('search')).toBe('carol');
      await page.getByRole('checkbox', { name: /Select Carol/ }).check();
      expect(page.url()).toBe(searched);
      await clickOn(page, '[data-testid=customer-row] td:last-child');
      await page.waitForURL(`${origin}${href}`);
    });

    await signedIn('alice@skyline.example', async (page) => {
      await page.goto(`${origin}/tickets`);
      const row = `[data-testid=ticket-row][data-number="${ticket.number}"]`;
      await expect.poll(() => page.locator(row).count(), { timeout: 20_000 }).toBe(1);
      for (const where of ['left', 'middle', 'right'] as const) expect(await linkAt(page, row, where)).toBe(`/tickets/${ticket.id}`);
      await clickOn(page, `${row} .when`);
      await page.waitForURL(`${origin}/tickets/${ticket.id}`);
    });
  });
});

describe('filters in the address', () => {
  it("the queue's filters survive a reload, follow Back, and open from a shared link", async () => {
    const words = `Shared filter ${tag()}`;
    const ticket = await openTicket(words);
    const row = `[data-testid=queue-row][data-number="${ticket.number}"]`;
    await signedIn('agent@skyline.example', async (page, context) => {
      const field = (name: string) => page.locator(`[data-testid=queue-${name}]`).inputValue();
      await page.goto(`${origin}/staff/queue`);
      await expect.poll(() => page.locator('[data-testid=queue-row]').count(), { timeout: 20_000 }).toBeGreaterThan(0);
      // The rows come with the page; a filter applies on change once its scripts run (the live indicator shows then).
      await page.locator('[data-testid=live-status]').waitFor({ timeout: 20_000 });
      await page.selectOption('[data-testid=queue-status]', 'OPEN');
      await page.waitForURL(/[?&]status=OPEN/);
      await page.fill('[data-testid=queue-search]', words);
      await page.press('[data-testid=queue-search]', 'Enter');
      await page.waitForURL((u) => u.searchParams.get('q') === words);
      await expect.poll(() => page.locator('[data-testid=queue-row]').count(), { timeout: 15_000 }).toBe(1);
      const shared = page.url();

      await page.reload();
      await expect.poll(() => field('status'), { timeout: 20_000 }).toBe('OPEN');
      expect(await field('search')).toBe(words);
      await expect.poll(() => page.locator('[data-testid=queue-row]').count(), { timeout: 15_000 }).toBe(1);
      expect(await page.locator(row).count()).toBe(1);
      await page.locator('[data-testid=live-status]').waitFor({ timeout: 20_000 });

      // A filter that leaves nothing, then Back to the list before it.
      await page.selectOption('[data-testid=queue-category]', 'BILLING');
      await page.waitForURL(/category=BILLING/);
      await expect.poll(() => page.locator('[data-testid=queue-row]').count(), { timeout: 15_000 }).toBe(0);
      await page.goBack();
      await page.waitForURL((u) => !u.searchParams.has('category'));
      await expect.poll(() => field('category')).toBe('');
      await expect.poll(() => page.locator(row).count(), { timeout: 15_000 }).toBe(1);
      await page.goBack();
      await page.waitForURL((u) => !u.searchParams.has('q'));
      await expect.poll(() => field('search')).toBe('');
      expect(await field('status')).toBe('OPEN');

      const other = await context.newPage();
      await other.goto(shared);
      await expect.poll(() => other.locator('[data-testid=queue-status]').inputValue(), { timeout: 20_000 }).toBe('OPEN');
      expect(await other.locator('[data-testid=queue-search]').inputValue()).toBe(words);
      await expect.poll(() => other.locator(row).count(), { timeout: 15_000 }).toBe(1);
    });
  });

  it("the customer's ticket list keeps its status filter across a reload and Back", async () => {
    const kept = await openTicket(`Kept open ${tag()}`);
    const cancelled = await openTicket(`Cancelled one ${tag()}`);
    const agent = await emulatorIdToken('agent@skyline.example', 'skyline');
    expect((await gql(gateway, STATUS, { id: cancelled.id, status: 'CANCELLED' }, { token: agent })).errors).toBeUndefined();
    await signedIn('alice@skyline.example', async (page) => {
      await page.goto(`${origin}/tickets`);
      await expect.poll(() => page.locator(`[data-testid=ticket-row][data-number="${cancelled.number}"]`).count(), { timeout: 20_000 }).toBe(1);
      await page.selectOption('[data-testid=status-filter]', 'CANCELLED');
      await page.waitForURL(`${origin}/tickets?status=CANCELLED`);
      await page.reload();
      await expect.poll(() => page.locator('[data-testid=status-filter]').inputValue(), { timeout: 20_000 }).toBe('CANCELLED');
      await expect.poll(() => page.locator(`[data-testid=ticket-row][data-number="${cancelled.number}"]`).count(), { timeout: 15_000 }).toBe(1);
      expect(await page.locator(`[data-testid=ticket-row][data-number="${kept.number}"]`).count()).toBe(0);
      await page.goBack();
      await page.waitForURL(`${origin}/tickets`);
      await expect.poll(() => page.locator('[data-testid=status-filter]').inputValue()).toBe('');
      await expect.poll(() => page.locator(`[data-testid=ticket-row][data-number="${kept.number}"]`).count(), { timeout: 15_000 }).toBe(1);
    });
  });
});

describe('revoking portal access', () => {
  it('asks before it revokes, and does nothing when the agent keeps access', async () => {
    const agent = await emulatorIdToken('agent@skyline.example', 'skyline');
    const n = tag();
    const created = await gql(
      gateway,
      `mutation($input: CreateCustomerInput!) { createCustomer(input: $input, clientMutationId: "${randomUUID()}") { ok customer { id } } }`,
      { input: { accountNumber: `SKY-R${n}`, name: `Rhea Revoke ${n}`, email: `revoke-${n}@example.com`, serviceStatus: 'ACTIVE' } },
      { token: agent },
    );
    expect(created.errors).toBeUndefined();
    const id = (created.data!.createCustomer as { customer: { id: string } }).customer.id;
    await signedIn('agent@skyline.example', async (page) => {
      await page.goto(`${origin}/staff/customers/${id}`);
      await expect.poll(() => page.locator('[data-testid=access-status]').textContent(), { timeout: 20_000 }).toMatch(/Invited|Active/);
      const before = await page.locator('[data-testid=access-status]').textContent();
      await page.getByRole('button', { name: 'Revoke' }).click();
      await expect.poll(() => page.getByRole('alertdialog').count(), { timeout: 5_000 }).toBe(1);
      expect(await page.locator('[data-testid=access-status]').textContent()).toBe(before);
      // Keyboard focus waits on the safe choice.
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Keep access');
      await page.keyboard.press('Enter');
      expect(await page.getByRole('alertdialog').count()).toBe(0);
      expect(await page.locator('[data-testid=access-status]').textContent()).toBe(before);

      await page.getByRole('button', { name: 'Revoke' }).click();
      await page.screenshot({ path: `${screenshots}staff-revoke-confirm.png`, fullPage: true });
      await page.getByRole('button', { name: 'Yes, revoke access' }).click();
      await expect.poll(() => page.locator('[data-testid=access-status]').textContent(), { timeout: 15_000 }).toBe('Revoked');
    });
  });
});

describe('keyboard navigation', () => {
  for (const viewport of [DESKTOP, PHONE]) {
    it(`skips to the content and lands on each new page's heading (${viewport.width}px)`, async () => {
      await signedIn(
        'alice@skyline.example',
        async (page) => {
          await page.goto(`${origin}/support`);
          await page.keyboard.press('Tab');
          const focused = () => page.evaluate(() => ({ tag: document.activeElement?.tagName, text: document.activeElement?.textContent?.trim(), id: document.activeElement?.id }));
          expect(await focused()).toMatchObject({ tag: 'A', text: 'Skip to content' });
          const box = await page.locator('[data-testid=skip-link]').boundingBox();
          expect(box && box.y >= 0 && box.x >= 0).toBe(true);
          await page.keyboard.press('Enter');
          expect(await focused()).toMatchObject({ tag: 'MAIN', id: 'main' });
          // The next Tab goes into the content, past the header and its links.
          await page.keyboard.press('Tab');
          expect(await page.evaluate(() => !!document.activeElement?.closest('main'))).toBe(true);

          await page.click('[data-testid=nav-tickets]');
          await page.waitForURL(`${origin}/tickets`);
          await expect.poll(() => page.evaluate(() => { const a = document.activeElement; return a?.tagName === 'MAIN' || (a?.tagName === 'H1' && !!a.closest('main')); })).toBe(true);

          await page.locator('header a', { hasText: 'Support' }).first().click();
          await page.waitForURL(`${origin}/support`);
          await expect.poll(() => focused()).toMatchObject({ tag: 'H1', text: 'Support' });
        },
        viewport,
      );
    });
  }
});

describe('outage banner', () => {
  it("takes alice from the banner to the outage's own page", async () => {
    const title = `Ridge Tower backhaul down ${tag()}`;
    const agent = await emulatorIdToken('agent@skyline.example', 'skyline');
    const made = await gql(
      gateway,
      `mutation($input: CreateOutageInput!) { createOutage(input: $input) { id number } }`,
      { input: { title, description: 'The backhaul link to the tower is down.', site: 'Ridge Tower', clientMutationId: randomUUID() } },
      { token: agent },
    );
    expect(made.errors).toBeUndefined();
    const outage = made.data!.createOutage as { id: string; number: string };
    try {
      await signedIn('alice@skyline.example', async (page) => {
        const banner = page.locator(`[data-testid=outage-banner][data-outage-id="${outage.id}"]`);
        await expect.poll(() => banner.count(), { timeout: 20_000 }).toBe(1);
        await page.screenshot({ path: `${screenshots}outage-banner-link.png`, fullPage: true });
        await banner.getByRole('link').click();
        await page.waitForURL(`${origin}/tickets/${outage.id}`);
        await expect.poll(() => page.locator('[data-testid=ticket-number]').textContent(), { timeout: 20_000 }).toBe(outage.number);
      });
    } finally {
      await gql(gateway, STATUS, { id: outage.id, status: 'RESOLVED' }, { token: agent });
    }
  });
});
