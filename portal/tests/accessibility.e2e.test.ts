/**
 * Every page of the portal, as each kind of visitor sees it, at a desk and on a phone: axe-core
 * finds no serious or critical violation of WCAG 2.1 A/AA once the page has its content, and no
 * page is wider than the window.
 */
import { randomUUID } from 'node:crypto';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import type { Browser, Page } from 'playwright-core';
import { describeViolations, seriousViolations } from './axe.ts';
import { launchChromium } from './browser.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const port = inject('portalPort');
const gateway = inject('gatewayUrl');
const origin = `http://skyline.localhost:${port}`;
const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];
let browser: Browser;
let ticketId = '';
let customerId = '';

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  browser = await launchChromium();
  const token = await emulatorIdToken('alice@skyline.example', 'skyline');
  const r = await gql(gateway, `mutation($input: OpenTicketInput!) { openTicket(input: $input) { id customer { id } } }`, {
    input: { title: 'Accessibility check', description: 'A ticket every page can show.', category: 'SLOW_SPEED', clientMutationId: randomUUID() },
  }, { token });
  expect(r.errors).toBeUndefined();
  ticketId = (r.data!.openTicket as { id: string }).id;
  customerId = (r.data!.openTicket as { customer: { id: string } }).customer.id;
});

afterAll(async () => {
  await browser?.close();
});

/** Waits until the page shows content rather than a loading placeholder. */
async function settled(page: Page) {
  await page.waitForLoadState('load');
  await expect
    .poll(() => page.evaluate(() => [...document.querySelectorAll('[role=status]')].some((el) => /Loading/i.test(el.textContent ?? ''))), { timeout: 20_000, message: `${page.url()} still loading` })
    .toBe(false);
  await expect.poll(() => page.locator('h1').count(), { timeout: 20_000 }).toBeGreaterThan(0);
  await page.waitForTimeout(300);
}

async function sweep(email: string | null, paths: () => string[], { withoutScripts = false } = {}) {
  const problems: string[] = [];
  for (const viewport of VIEWPORTS) {
    const context = await browser.newContext({ viewport });
    try {
      // The page as a browser without scripts gets it: none of the portal's JavaScript loads (axe itself still runs).
      if (withoutScripts) await context.route(/\.m?js(\?.*)?$/, (route) => route.abort());
      const page = await context.newPage();
      if (email) {
        await page.goto(`${origin}/`);
        await page.fill('input[name="email"]', email);
        await page.fill('input[name="password"]', 'demo-password');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expect.poll(() => page.locator('[data-testid=support-nav]').count(), { timeout: 20_000 }).toBe(1);
      }
      for (const path of paths()) {
        await page.goto(`${origin}${path}`);
        await settled(page);
        problems.push(...describeViolations(`${path} at ${viewport.width}px`, await seriousViolations(page)));
        // Nothing may make a person scroll sideways to read a page.
        const overflow = await page.evaluate(() => {
          const width = window.innerWidth;
          // The innermost elements that reach past the right edge: where the widening starts.
          const past = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > width + 1);
          const innermost = past.filter((el) => !past.some((other) => other !== el && el.contains(other)));
          return {
            by: document.documentElement.scrollWidth - width,
            where: innermost.slice(0, 3).map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${(el.textContent ?? '').trim().slice(0, 30)}"`),
          };
        });
        if (overflow.by > 0) problems.push(`${path} at ${viewport.width}px: ${overflow.by}px wider than the window (${overflow.where.join('; ')})`);
      }
    } finally {
      await context.close();
    }
  }
  expect(problems, problems.join('\n')).toEqual([]);
}

describe('no serious accessibility violations', () => {
  it('on the pages anyone can open', () => sweep(null, () => ['/', '/sign-in', '/forgot-password', '/sign-up', '/status']));

  it("on a customer's pages", () =>
    sweep('alice@skyline.example', () => ['/', '/service', '/tickets', '/tickets/new', `/tickets/${ticketId}`, '/account/settings', '/support', '/billing', '/account/household', '/accounts']));

  it("on a property manager's pages, with the account switcher", () => sweep('pat@skyline.example', () => ['/', '/accounts', '/tickets', '/account/household', '/billing']));

  it("on a household member's pages", () => sweep('sam@skyline.example', () => ['/', '/billing', '/service', '/account/household', '/account/settings']));

  it("on an agent's pages", () =>
    sweep('agent@skyline.example', () => ['/', '/staff/queue', '/staff/visits', '/staff/customers', '/staff/customers?new=1', `/staff/customers/${customerId}`, `/staff/tickets/${ticketId}`]));

  it("on an administrator's pages", () =>
    sweep('admin@skyline.example', () => ['/', '/admin/branding', '/admin/staff', '/admin/integrations', '/admin/replies', '/admin/service-levels', '/admin/visits', '/staff/audit', '/staff/outbox']));

  it("on an administrator's pages without JavaScript", () =>
    sweep('admin@skyline.example', () => ['/admin/staff', '/admin/integrations', '/admin/replies', '/admin/service-levels', '/admin/visits', '/staff/audit', '/staff/outbox'], { withoutScripts: true }));

  it("on a customer's pages without JavaScript", () =>
    sweep('alice@skyline.example', () => ['/', '/tickets', `/tickets/${ticketId}`, '/account/settings', '/account/household'], { withoutScripts: true }));

  // The staff pages the server renders, as a browser without scripts gets them.
  it("on an agent's pages without JavaScript", () =>
    sweep('agent@skyline.example', () => ['/', '/staff/queue', `/staff/queue?status=OPEN&q=${encodeURIComponent('Accessibility check')}`, `/staff/tickets/${ticketId}`, '/staff/visits', '/staff/customers', '/staff/customers?new=1&search=a'], { withoutScripts: true }));
});
