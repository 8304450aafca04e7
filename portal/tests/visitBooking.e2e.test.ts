/**
 * A customer books the technician visit of their ticket in the browser, moves it and cancels it:
 * server-rendered, plain form posts without JavaScript, enhanced with it.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const port = inject('portalPort');
const gateway = inject('gatewayUrl');
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

async function installTicket(email: string): Promise<{ id: string; token: string }> {
  const token = await emulatorIdToken(email, 'skyline');
  const r = await gql(gateway, `mutation ($input: OpenTicketInput!) { openTicket(input: $input) { id } }`, { input: { title: 'Second radio install', description: 'Opened for a test.', category: 'INSTALLATION', clientMutationId: randomUUID() } }, { token });
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return { id: r.data!.openTicket.id as string, token };
}

async function signIn(context: BrowserContext, email: string, next: string) {
  const page = await context.newPage();
  await page.goto(at(`/sign-in?next=${encodeURIComponent(next)}`));
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === next);
  return page;
}

const visitOf = async (id: string, token: string) =>
  (await gql(gateway, `query($id: ID!) { workOrder(id: $id) { status visit { start } } }`, { id }, { token })).data!.workOrder as { status: string; visit: { start: string } | null };

describe('booking a visit in the browser', () => {
  for (const javaScriptEnabled of [false, true]) {
    it(`books a free time, moves it and cancels it ${javaScriptEnabled ? 'with' : 'without'} JavaScript`, async () => {
      const { id, token } = await installTicket('bob@skyline.example');
      const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 390, height: 844 } });
      // The ticket offers the booking itself.
      const page = await signIn(context, 'bob@skyline.example', `/tickets/${id}`);
      expect(await page.getByTestId('book-visit-link').textContent()).toBe('Book a visit');
      await page.getByTestId('book-visit-link').click();
      await page.waitForURL(at(`/tickets/${id}/book`));
      const slots = page.locator('[data-testid=slot]:not([disabled])');
      expect(await slots.count()).toBeGreaterThan(1);
      await slots.first().check();
      await page.getByRole('button', { name: 'Book this time' }).click();
      await page.getByTestId('booking-done').waitFor();
      expect(await page.getByTestId('booked-visit').textContent()).toMatch(/Your visit: .+–/);
      const booked = await visitOf(id, token);
      expect(booked.status).toBe('SCHEDULED');
      await page.screenshot({ path: `${screenshots}visit-booked${javaScriptEnabled ? '' : '-noscript'}.png`, fullPage: true });

      await page.locator('[data-testid=slot]:not([disabled])').nth(1).check();
      await page.getByRole('button', { name: 'Move my visit' }).click();
      await page.getByText('Your visit has moved.').waitFor();
      const moved = await visitOf(id, token);
      expect(moved.visit!.start).not.toBe(booked.visit!.start);

      await page.getByRole('button', { name: 'Cancel the visit…' }).click();
      await page.getByRole('button', { name: 'Yes, cancel the visit' }).click();
      await page.getByText('Your visit is cancelled.').waitFor();
      expect((await visitOf(id, token)).visit).toBeNull();
      expect(await page.getByRole('button', { name: 'Book this time' }).count()).toBe(1);
      await page.goto(at(`/tickets/${id}`));
      expect(await page.getByTestId('book-visit-link').textContent()).toBe('Book a visit');
      await context.close();
    });
  }

  it('shows another customer’s ticket as not found', async () => {
    const { id } = await installTicket('bob@skyline.example');
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await signIn(context, 'alice@skyline.example', `/tickets/${id}/book`);
    await page.getByTestId('booking-error').waitFor();
    expect(await page.locator('[data-testid=slot]').count()).toBe(0);
    await context.close();
  });

  it('lets an agent book a waiting ticket on the board, and the technician report en route and arrival from a phone', async () => {
    const { id, token } = await installTicket('bob@skyline.example');
    const number = ((await gql(gateway, `query($id: ID!) { workOrder(id: $id) { number } }`, { id }, { token })).data!.workOrder as { number: string }).number;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(at('/'));
    await page.fill('input[name="email"]', 'agent@skyline.example');
    await page.fill('input[name="password"]', PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('[data-testid=support-nav]').count(), { timeout: 20_000 }).toBe(1);
    await page.goto(at('/staff/visits'));
    const row = page.locator('[data-testid=waiting]', { hasText: number });
    await row.waitFor({ timeout: 20_000 });
    const slot = await row.locator('select[name=slotId] option').nth(1).getAttribute('value');
    await row.locator('select[name=slotId]').selectOption(slot!);
    await row.getByRole('button', { name: 'Book' }).click();
    await page.getByText('Saved.').waitFor();
    await expect.poll(async () => (await visitOf(id, token)).status).toBe('SCHEDULED');
    await page.screenshot({ path: `${screenshots}visit-board.png`, fullPage: false });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(at(`/staff/visits/${id}`));
    await page.fill('input[name=etaMinutes]', '25');
    await page.getByRole('button', { name: 'I’m on my way' }).click();
    await expect.poll(() => page.getByTestId('visit-status').textContent()).toMatch(/^On the way · arriving \d/);
    const enRoute = (await gql(gateway, `query($id: ID!) { workOrder(id: $id) { status eta } }`, { id }, { token })).data!.workOrder as { status: string; eta: string };
    expect(enRoute.status).toBe('EN_ROUTE');
    expect(Math.abs(Date.parse(enRoute.eta) - (Date.now() + 25 * 60_000))).toBeLessThan(2 * 60_000);
    await page.screenshot({ path: `${screenshots}visit-technician.png`, fullPage: true });
    await page.getByRole('button', { name: 'I’ve arrived' }).click();
    await expect.poll(() => page.getByTestId('visit-status').textContent()).toBe('Arrived');
    await context.close();

    // The customer's page shows the technician on site.
    const customer = await browser.newContext({ javaScriptEnabled: false });
    const mine = await signIn(customer, 'bob@skyline.example', `/tickets/${id}/book`);
    await mine.getByText('Your technician has arrived.').waitFor();
    await customer.close();
  });

  it('lets the tenant admin change the visit capacity on its page, and refuses a line it cannot read', async () => {
    const admin = await emulatorIdToken('admin@skyline.example', 'skyline');
    const CAP = `{ visitCapacity { leadTimeHours cutoffHours blackoutDates crews { id name sites } slots { weekday start end } visitCategories } }`;
    const before = (await gql(gateway, CAP, {}, { token: admin })).data!.visitCapacity as Record<string, any>;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(at('/'));
      await page.fill('input[name="email"]', 'admin@skyline.example');
      await page.fill('input[name="password"]', PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.locator('[data-testid=support-nav]').count(), { timeout: 20_000 }).toBe(1);
      await page.goto(at('/admin/visits'));
      const slots = page.getByLabel(/^Slots, one per line/);
      await slots.waitFor({ timeout: 20_000 });
      await slots.fill('Monday 08:00-10:00\nSaturday 09:00-12:00');
      await page.getByLabel(/^Crews, one per line/).fill('crew-1: Field crew 1\nhill: Hill crew @ Hill Site');
      await page.getByLabel(/^Lead time/).fill('30');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Saved.').waitFor();
      const saved = (await gql(gateway, CAP, {}, { token: admin })).data!.visitCapacity as Record<string, any>;
      expect(saved).toMatchObject({ leadTimeHours: 30, slots: [{ weekday: 'MONDAY', start: '08:00', end: '10:00' }, { weekday: 'SATURDAY', start: '09:00', end: '12:00' }], crews: [{ id: 'crew-1', name: 'Field crew 1', sites: [] }, { id: 'hill', name: 'Hill crew', sites: ['Hill Site'] }] });
      await slots.fill('Someday at noon');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Slot "Someday at noon" is not like').waitFor();
      await page.screenshot({ path: `${screenshots}visit-capacity.png`, fullPage: true });
    } finally {
      await context.close();
      // The demo tenant's capacity as it was, for whatever runs next.
      await gql(gateway, `mutation($input: VisitCapacityInput!) { updateVisitCapacity(input: $input) { leadTimeHours } }`, { input: { ...before, crews: before.crews.map((c: any) => ({ id: c.id, name: c.name, sites: c.sites })) } }, { token: admin });
    }
  });
});
