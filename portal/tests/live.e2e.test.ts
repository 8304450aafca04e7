import { mkdirSync } from 'node:fs';
import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import { launchChromium } from './browser.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// Mirrors the root test setup's declaration, which the portal's own type check does not see.
declare module 'vitest' {
  export interface ProvidedContext {
    portalPort: number;
    mongoUri: string;
    dbPrefix: string;
    gatewayUrl: string;
  }
}

/** The root test helpers, loaded at run time (they are outside the portal's own type check). */
interface Writer {
  updateWorkOrder: (id: string, set: Record<string, unknown>, kind?: string) => Promise<{ seq: number }>;
  close: () => Promise<void>;
}
const root = (path: string) => new URL(`../../${path}`, import.meta.url).href;
const { openWriter } = (await import(/* @vite-ignore */ root('tests/live.ts'))) as { openWriter: (mongo: { uri: string; dbPrefix: string }) => Promise<Writer> };
const { workOrderId } = (await import(/* @vite-ignore */ root('tests/demo.ts'))) as { workOrderId: (slug: string, n: number) => string };

const port = inject('portalPort');
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));
let browser: Browser;
let writer: Writer;

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  writer = await openWriter({ uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await writer?.close();
});

/**
 * A plain HTTP proxy between the browser and the portal whose open `/live` streams the test can
 * cut, as a dropped mobile connection would: the browser's EventSource must reconnect by itself.
 */
async function cuttableProxy() {
  const streams = new Set<ServerResponse>();
  const seen: { lastEventId: string }[] = [];
  const server = createServer((req, res) => {
    const target = new URL(req.url ?? '/', 'http://placeholder');
    if (target.pathname === '/live') {
      seen.push({ lastEventId: String(req.headers['last-event-id'] ?? '') });
      streams.add(res);
      res.on('close', () => streams.delete(res));
    }
    // Every address here is this machine's (the portal's *.localhost hosts, the gateway, the auth emulator).
    const upstream = request({ host: '127.0.0.1', port: target.port || 80, method: req.method, path: target.pathname + target.search, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    cut: () => {
      for (const res of streams) res.destroy();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function signInAs(page: Page, email: string) {
  await page.goto(`http://skyline.localhost:${port}/`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', 'demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => page.locator('[data-testid=live-status]').getAttribute('data-status'), { timeout: 20_000 }).toBe('live');
}

describe('live updates in the portal', () => {
  // Staff follow the queue over the gateway's socket from their browser (customers' dashboards
  // get theirs from the portal's server: dashboard.e2e.test.ts checks that stream's resume).
  it("reconnects an agent's queue by itself after the connection drops and shows the change made meanwhile", async () => {
    // The staff dashboard follows the queue through the portal's own stream (`/live?feed=queue`).
    const proxy = await cuttableProxy();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, proxy: { server: proxy.server, bypass: '<-loopback>' } });
    try {
      const page = await context.newPage();
      await signInAs(page, 'agent@skyline.example');
      const items = page.locator('[data-testid=live-update][data-number="SKY-1001"]');
      await writer.updateWorkOrder(workOrderId('skyline', 1001), { status: 'IN_PROGRESS' }, 'status_changed');
      await expect.poll(() => items.count(), { timeout: 5_000 }).toBe(1);

      // The connection drops; the ticket changes while the portal is away.
      const before = proxy.seen.length;
      proxy.cut();
      await writer.updateWorkOrder(workOrderId('skyline', 1001), { status: 'WAITING_ON_CUSTOMER' }, 'status_changed');

      await expect.poll(() => items.count(), { timeout: 15_000 }).toBe(2);
      expect(await items.first().textContent()).toContain('Waiting on customer');
      // It resumed: the new stream named the last change it had received.
      expect(proxy.seen.length).toBeGreaterThan(before);
      expect(proxy.seen.at(-1)!.lastEventId).toMatch(/^\d+$/);
      await expect.poll(() => page.locator('[data-testid=live-status]').getAttribute('data-status')).toBe('live');
    } finally {
      await context.close();
      await proxy.close();
    }
  });

  it("shows a change to alice's ticket on her open dashboard without a reload, and nothing of bob's", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(`http://skyline.localhost:${port}/`);
      await page.fill('input[name="email"]', 'alice@skyline.example');
      await page.fill('input[name="password"]', 'demo-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.locator('[data-testid=live-status]').getAttribute('data-status'), { timeout: 20_000 }).toBe('live');
      await page.evaluate(() => ((window as unknown as { liveMarker: number }).liveMarker = 42));

      // Bob's ticket changes first, then alice's: once hers shows, his would have too.
      await writer.updateWorkOrder(workOrderId('skyline', 1002), { priority: 'HIGH' }, 'updated');
      await writer.updateWorkOrder(workOrderId('skyline', 1001), { status: 'SCHEDULED' }, 'status_changed');

      const item = page.locator('[data-testid=live-update][data-number="SKY-1001"]');
      await expect.poll(() => item.count(), { timeout: 5_000 }).toBe(1);
      expect(await item.textContent()).toMatch(/Status changed.*SKY-1001.*Slow speeds every evening.*Scheduled/s);
      expect(await page.locator('[data-testid=live-update][data-number="SKY-1002"]').count()).toBe(0);
      // Same document: no reload happened.
      expect(await page.evaluate(() => (window as unknown as { liveMarker?: number }).liveMarker)).toBe(42);

      mkdirSync(screenshots, { recursive: true });
      await page.screenshot({ path: `${screenshots}skyline-dashboard-live.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  it("updates alice's ticket list live through the portal's own stream, with no socket from the browser", async () => {
    const token = await emulatorIdToken('alice@skyline.example', 'skyline');
    const opened = await gql(inject('gatewayUrl'), `mutation ($input: OpenTicketInput!) { openTicket(input: $input) { id number } }`, { input: { title: `Router lights blinking ${Date.now()}`, description: 'Amber lights since this morning.', category: 'EQUIPMENT', clientMutationId: `live-list-${Date.now()}` } }, { token });
    const ticket = opened.data?.openTicket as { id: string; number: string } | undefined;
    if (!ticket) throw new Error(JSON.stringify(opened.errors));
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const page = await context.newPage();
      const sockets: string[] = [];
      page.on('websocket', (ws) => sockets.push(ws.url()));
      await signInAs(page, 'alice@skyline.example');
      await page.goto(`http://skyline.localhost:${port}/tickets`);
      await expect.poll(() => page.locator('[data-testid=live-status]').getAttribute('data-status'), { timeout: 20_000 }).toBe('live');
      const row = page.locator(`[data-testid=ticket-row][data-number="${ticket.number}"]`);
      expect(await row.getByTestId('ticket-priority').textContent()).not.toContain('Urgent');
      await page.evaluate(() => ((window as unknown as { liveMarker: number }).liveMarker = 7));

      await writer.updateWorkOrder(ticket.id, { priority: 'URGENT' }, 'updated');
      await expect.poll(() => row.getByTestId('ticket-priority').textContent(), { timeout: 5_000 }).toContain('Urgent');
      expect(await page.evaluate(() => (window as unknown as { liveMarker?: number }).liveMarker)).toBe(7);
      expect(sockets, 'the browser opened a socket of its own').toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("updates an agent's queue live with the tenant's changes only", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(`http://skyline.localhost:${port}/`);
      await page.fill('input[name="email"]', 'agent@skyline.example');
      await page.fill('input[name="password"]', 'demo-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.locator('[data-testid=live-status]').getAttribute('data-status'), { timeout: 20_000 }).toBe('live');
      expect(await page.locator('[data-testid=live-updates] h2').textContent()).toContain('Queue');

      await writer.updateWorkOrder(workOrderId('prairie', 1002), { priority: 'HIGH' }, 'updated');
      await writer.updateWorkOrder(workOrderId('skyline', 1004), { priority: 'HIGH' }, 'updated');
      await expect.poll(() => page.locator('[data-testid=live-update][data-number="SKY-1004"]').count(), { timeout: 5_000 }).toBe(1);
      expect(await page.locator('[data-testid=live-update][data-number^="PRA-"]').count()).toBe(0);
      await page.screenshot({ path: `${screenshots}skyline-agent-queue-live.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });
});
