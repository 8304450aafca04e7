/**
 * The public service status page: no sign-in, rendered by the server (it works without
 * JavaScript), one WISP's outages only, and it follows an outage as staff post updates.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import type { Browser } from 'playwright-core';
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
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));
const at = (slug: string, path = '/status') => `http://${slug}.localhost:${port}${path}`;
const unique = () => randomBytes(4).toString('hex');

let browser: Browser;
let agent: string;
let outage: { id: string; title: string; site: string };

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  mkdirSync(screenshots, { recursive: true });
  browser = await launchChromium();
  agent = await emulatorIdToken('agent@skyline.example', 'skyline');
  const n = unique();
  const site = `Hilltop ${n}`;
  const made = await gql(gateway, `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { ok customer { id } } }`, {
    input: { accountNumber: `SKY-S${n}`, name: `Sam Status ${n}`, site, serviceStatus: 'ACTIVE' },
  }, { token: agent });
  if (!made.data?.createCustomer.ok) throw new Error(JSON.stringify(made.errors ?? made.data));
  const title = `Hilltop sector offline ${n}`;
  const r = await gql(gateway, `mutation ($input: CreateOutageInput!) { createOutage(input: $input) { id } }`, {
    input: { title, description: 'The sector radio stopped answering.', site, eta: new Date(Date.now() + 2 * 3600_000).toISOString(), clientMutationId: randomUUID() },
  }, { token: agent });
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  outage = { id: r.data!.createOutage.id, title, site };
});

afterAll(async () => {
  await browser?.close();
});

describe('public service status page', () => {
  it('is served complete by the server, with no sign-in and no JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const response = await page.goto(at('skyline'));
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Service status');
    const notice = page.locator(`[data-notice-id="${outage.id}"]`);
    expect(await notice.locator('h3').textContent()).toBe(outage.title);
    expect(await page.getByTestId('status-current').textContent()).toContain(outage.site);
    expect(await page.getByTestId('status-summary').textContent()).toMatch(/We are working on \d+ problems? affecting service/);
    expect(await notice.getByTestId('status-eta').textContent()).toMatch(/\d{1,2}:\d{2}/);
    expect(await page.locator('input[type=password]').count()).toBe(0);
    // Fits a phone's width.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: `${screenshots}status-page-390.png`, fullPage: true });
    await context.close();
  });

  it('shows only its own WISP: another portal’s status page does not list the outage', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(at('prairie'));
    await page.locator('h1', { hasText: 'Service status' }).waitFor();
    expect(await page.locator(`[data-notice-id="${outage.id}"]`).count()).toBe(0);
    expect(await page.content()).not.toContain(outage.title);
    await context.close();
  });

  it('follows the outage live: a public update and the resolution appear without a reload', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(at('skyline', '/'));
    await page.getByRole('link', { name: 'Service status' }).click();
    await page.waitForURL(/\/status$/);
    const notice = page.locator(`[data-notice-id="${outage.id}"]`);
    await notice.waitFor();

    const body = `Crew on site at the hilltop ${unique()}`;
    const posted = await gql(gateway, `mutation ($id: ID!, $body: String!, $k: String!) { postOutageUpdate(id: $id, body: $body, clientMutationId: $k) { id } }`, { id: outage.id, body, k: randomUUID() }, { token: agent });
    expect(posted.errors).toBeUndefined();
    await notice.getByText(body).waitFor({ timeout: 30_000 });

    const done = await gql(gateway, `mutation ($id: ID!) { changeWorkOrderStatus(id: $id, status: RESOLVED) { status } }`, { id: outage.id }, { token: agent });
    expect(done.errors).toBeUndefined();
    await page.getByTestId('status-resolved').locator(`[data-notice-id="${outage.id}"]`).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('status-current').locator(`[data-notice-id="${outage.id}"]`).count()).toBe(0);
    await page.screenshot({ path: `${screenshots}status-page-1280.png`, fullPage: true });
    await context.close();
  });
});
