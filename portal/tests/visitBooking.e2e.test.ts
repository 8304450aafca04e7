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
      const page = await signIn(context, 'bob@skyline.example', `/tickets/${id}/book`);
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
});
