/**
 * The customer's Billing page: balance and due date, invoices (dated in the WISP's time zone,
 * amounts in their currency, a PDF through the portal's server or a link to the billing system),
 * payments, and a Pay link to the WISP's own payment page when it has one. Rendered by the server,
 * so it works without JavaScript; accessible and usable on a phone.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { customerId } from '../../tests/demo.ts';
import { describeViolations, seriousViolations } from './axe.ts';
import { launchChromium } from './browser.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const port = inject('portalPort');
const gateway = inject('gatewayUrl');
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));
const at = (path = '/', slug = 'skyline') => `http://${slug}.localhost:${port}${path}`;
const PASSWORD = process.env.DEMO_PASSWORD ?? 'demo-password';
const run = randomUUID().slice(0, 6);
/** Issued at 03:00 UTC on New Year's Day: still New Year's Eve in Skyline's Denver. */
const LATE = { number: `E2E-${run}`, issuedAt: '2031-01-01T03:00:00Z', dueDate: '2031-01-15', amountCents: 123456, currency: 'EUR', status: 'OVERDUE', url: `https://billing.skyline.example/invoices/E2E-${run}` };

let browser: Browser;

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  mkdirSync(screenshots, { recursive: true });
  browser = await launchChromium();
  const admin = await emulatorIdToken('admin@skyline.example', 'skyline');
  const r = await gql(gateway, `mutation($c: BillingCustomerInput!, $input: InvoiceInput!) { upsertInvoice(customer: $c, input: $input) { invoice { id } } }`, { c: { customerId: customerId('skyline', 'alice') }, input: LATE }, { token: admin });
  if (r.errors) throw new Error(JSON.stringify(r.errors));
});

afterAll(async () => {
  await browser?.close();
});

/** Signs in with the plain form (works with or without scripts) and lands on the billing page. */
async function signInToBilling(context: BrowserContext, email: string, slug = 'skyline'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(at(`/sign-in?next=${encodeURIComponent('/billing')}`, slug));
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/billing$/);
  await page.getByRole('heading', { name: 'Billing', level: 1 }).waitFor();
  return page;
}

const overflows = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);

async function checkAliceBilling(page: Page) {
  // Demo data: Valley 100 at $69.00 a month, this month's invoice open.
  expect(await page.getByTestId('balance').textContent()).toBe('$69.00');
  expect(await page.getByTestId('due-date').textContent()).toMatch(/^Due [A-Z][a-z]{2} 15, \d{4}$/);
  const rows = page.getByTestId('invoice');
  expect(await rows.count()).toBeGreaterThanOrEqual(4);
  // Newest first: the invoice pushed above, dated in the WISP's time zone, in its own currency.
  const late = rows.first();
  expect(await late.getByTestId('invoice-number').textContent()).toBe(LATE.number);
  expect(await late.getByTestId('invoice-date').textContent()).toBe('Dec 31, 2030');
  expect(await late.getByTestId('invoice-amount').textContent()).toBe('€1,234.56');
  expect(await late.getByTestId('invoice-status').textContent()).toBe('Overdue');
  expect(await late.getByTestId('invoice-link').getAttribute('href')).toBe(LATE.url);
  // This month's demo invoice has a PDF: downloaded through the portal with the session.
  const pdfHref = await page.getByTestId('invoice-pdf').first().getAttribute('href');
  expect(pdfHref).toMatch(/^\/billing\/files\/[a-f0-9]{24}$/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('invoice-pdf').first().click()]);
  expect(download.suggestedFilename()).toMatch(/\.pdf$/);
  expect(readFileSync((await download.path())!).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(await page.getByTestId('payment').count()).toBeGreaterThanOrEqual(2);
  expect(await page.getByTestId('payment-amount').first().textContent()).toBe('$69.00');
  expect(await page.getByTestId('pay-link').getAttribute('href')).toBe('https://pay.skyline.example/');
  return pdfHref!;
}

describe('the billing page', () => {
  it('shows the signed-in customer their balance, invoices, payments and the Pay link, accessibly, on a desktop and a phone', async () => {
    for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
      const context = await browser.newContext({ viewport });
      try {
        const page = await signInToBilling(context, 'alice@skyline.example');
        await checkAliceBilling(page);
        await page.screenshot({ path: `${screenshots}billing-${viewport.width}.png`, fullPage: true });
        const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.scroll')).slice(0, 5).map((el) => `${el.tagName}.${el.className}`));
        expect(await overflows(page), `scrolls sideways at ${viewport.width} px: ${wide.join(', ')}`).toBe(false);
        const violations = await seriousViolations(page);
        expect(violations, describeViolations(`/billing at ${viewport.width} px`, violations).join('\n')).toEqual([]);
      } finally {
        await context.close();
      }
    }
  });

  it('works without JavaScript, and never hands one customer another one’s PDF', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    let pdfHref: string;
    try {
      pdfHref = await checkAliceBilling(await signInToBilling(context, 'alice@skyline.example'));
    } finally {
      await context.close();
    }
    const bobs = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await signInToBilling(bobs, 'bob@skyline.example');
      expect(await page.getByTestId('balance').textContent()).toBe('$49.00');
      expect(await page.getByText(LATE.number).count()).toBe(0);
      expect((await page.goto(at(pdfHref)))?.status()).toBe(404);
    } finally {
      await bobs.close();
    }
    // Signed out: the page and the file ask to sign in first.
    const anonymous = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await anonymous.newPage();
      await page.goto(at('/billing'));
      expect(new URL(page.url()).searchParams.get('next')).toBe('/billing');
      expect((await page.goto(at(pdfHref)))?.status()).toBe(401);
    } finally {
      await anonymous.close();
    }
  });

  it("hides the Pay link where the WISP has no payment page, and shows another tenant's customer only their own", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const page = await signInToBilling(context, 'alice@prairie.example', 'prairie');
      expect(await page.getByTestId('balance').textContent()).toBe('$59.00');
      expect(await page.getByTestId('pay-link').count()).toBe(0);
      expect(await page.getByText(LATE.number).count()).toBe(0);
      expect(await page.getByTestId('invoice-number').first().textContent()).toMatch(/^PRA-/);
      const violations = await seriousViolations(page);
      expect(violations, describeViolations('/billing on prairie', violations).join('\n')).toEqual([]);
      await page.screenshot({ path: `${screenshots}billing-prairie-390.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });
});
