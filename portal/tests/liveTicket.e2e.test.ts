/**
 * Live updates on the pages customers keep open: an agent's reply and status change appear on
 * alice's ticket page without a reload, her internal-note-free view stays that way, and her
 * ticket list follows along.
 */
import { randomUUID } from 'node:crypto';
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
const origin = `http://skyline.localhost:${port}`;
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));
let browser: Browser;

const OPEN = `mutation($input: OpenTicketInput!) { openTicket(input: $input) { id number } }`;
const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }`;
const STATUS = `mutation($id: ID!, $status: WorkOrderStatus!) { changeWorkOrderStatus(id: $id, status: $status) { status } }`;

beforeAll(async () => {
  expect(port, 'the portal must be built before the browser tests').toBeGreaterThan(0);
  mkdirSync(screenshots, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('live ticket pages', () => {
  it("shows an agent's reply and status change on alice's open ticket page without a reload, and never the internal note", async () => {
    const [alice, agent] = await Promise.all([emulatorIdToken('alice@skyline.example', 'skyline'), emulatorIdToken('agent@skyline.example', 'skyline')]);
    const tag = randomUUID().slice(0, 8);
    const opened = await gql(gateway, OPEN, { input: { title: `Dish knocked loose ${tag}`, description: 'After the storm.', category: 'EQUIPMENT', clientMutationId: randomUUID() } }, { token: alice });
    expect(opened.errors).toBeUndefined();
    const ticket = opened.data!.openTicket as { id: string; number: string };

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      await page.fill('input[name="email"]', 'alice@skyline.example');
      await page.fill('input[name="password"]', 'demo-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.locator('[data-testid=support-nav]').count(), { timeout: 20_000 }).toBe(1);
      await page.goto(`${origin}/tickets/${ticket.id}`);
      await expect.poll(() => page.locator('[data-testid=ticket-number]').textContent(), { timeout: 20_000 }).toBe(ticket.number);
      await expect.poll(() => page.locator('[data-testid=ticket-page] [data-testid=live-status]').getAttribute('data-status'), { timeout: 20_000 }).toBe('live');
      // A marker that a reload would wipe out.
      await page.evaluate(() => ((window as unknown as { __stillHere: boolean }).__stillHere = true));

      const reply = `We will re-aim the dish this afternoon ${tag}`;
      const note = `Customer is on a ladder-unsafe roof ${tag}`;
      await gql(gateway, SEND, { input: { workOrderId: ticket.id, body: note, internal: true, clientMutationId: randomUUID() } }, { token: agent });
      await gql(gateway, SEND, { input: { workOrderId: ticket.id, body: reply, clientMutationId: randomUUID() } }, { token: agent });
      await gql(gateway, STATUS, { id: ticket.id, status: 'IN_PROGRESS' }, { token: agent });

      await expect.poll(() => page.locator('[data-testid=messages]').textContent(), { timeout: 10_000 }).toContain(reply);
      await expect.poll(() => page.locator('[data-testid=status-badge]').first().getAttribute('data-status'), { timeout: 10_000 }).toBe('IN_PROGRESS');
      expect(await page.evaluate(() => (window as unknown as { __stillHere?: boolean }).__stillHere)).toBe(true);
      expect(await page.content()).not.toContain(note);
      await page.screenshot({ path: `${screenshots}live-ticket-reply.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });
});
