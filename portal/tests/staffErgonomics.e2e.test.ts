/**
 * What an agent works with on a ticket: a reply and an internal note as two composers that cannot
 * be mistaken for each other, saved replies the admin keeps, triage of priority, category, title
 * and type with timeline entries, the customer's phone and recent tickets, their call-backs, and
 * in the queue how old each ticket is and how long it has waited in its status.
 */
import { randomUUID } from 'node:crypto';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { describeViolations, seriousViolations } from './axe.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const port = inject('portalPort');
const gateway = inject('gatewayUrl');
const origin = `http://skyline.localhost:${port}`;
const tag = () => randomUUID().slice(0, 8);
let browser: Browser;

const OPEN = `mutation($input: OpenTicketInput!) { openTicket(input: $input) { id number } }`;
const CALLBACK = `mutation($input: RequestCallbackInput!) { requestCallback(input: $input) { id } }`;

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

async function signedIn(email: string, run: (page: Page) => Promise<void>, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/`);
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', 'demo-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('[data-testid=support-nav]').count(), { timeout: 20_000 }).toBe(1);
    await run(page);
  } finally {
    await context.close();
  }
}

async function openTicket(title: string) {
  const token = await emulatorIdToken('alice@skyline.example', 'skyline');
  const r = await gql(gateway, OPEN, { input: { title, description: 'Filed for the agent tools check.', category: 'SLOW_SPEED', clientMutationId: randomUUID() } }, { token });
  expect(r.errors).toBeUndefined();
  return { ...(r.data!.openTicket as { id: string; number: string }), token };
}

const ticketLoaded = (page: Page, number: string) =>
  expect.poll(() => page.locator('[data-testid=ticket-number]').textContent(), { timeout: 20_000 }).toBe(number);

describe('agent tools on a ticket', () => {
  it('keeps replies and internal notes apart: two composers, the note unmistakable, and the customer never sees it', async () => {
    const ticket = await openTicket(`Two composers ${tag()}`);
    const reply = `We are looking at it ${tag()}`;
    const note = `Check the sector antenna first ${tag()}`;
    await signedIn('agent@skyline.example', async (page) => {
      await page.goto(`${origin}/staff/tickets/${ticket.id}`);
      await ticketLoaded(page, ticket.number);
      const replyForm = page.locator('[data-testid=message-form]');
      const noteForm = page.locator('[data-testid=note-form]');
      expect(await replyForm.locator('h3').textContent()).toContain('Reply to the customer');
      expect(await noteForm.locator('h3').textContent()).toContain('only staff see this');
      const look = (form: typeof replyForm) => form.evaluate((el) => ({ image: getComputedStyle(el).backgroundImage, border: getComputedStyle(el).borderTopStyle }));
      const [r, n] = [await look(replyForm), await look(noteForm)];
      expect(n.border).toBe('dashed');
      expect(n.image).not.toBe(r.image);

      await page.fill('[data-testid=message-input]', reply);
      await page.click('[data-testid=send-message]');
      await expect.poll(() => page.locator('[data-testid=message][data-internal=false] [data-testid=message-body]').allTextContents(), { timeout: 15_000 }).toContain(reply);
      await page.fill('[data-testid=note-input]', note);
      await page.click('[data-testid=add-note]');
      await expect.poll(() => page.locator('[data-testid=message][data-internal=true] [data-testid=message-body]').allTextContents(), { timeout: 15_000 }).toContain(note);
      // Each composer empties only itself.
      expect(await page.locator('[data-testid=message-input]').inputValue()).toBe('');
      const violations = await seriousViolations(page);
      expect(violations, describeViolations('staff ticket', violations).join('\n')).toEqual([]);
    });
    const seen = await gql(gateway, `query($id: ID!) { workOrder(id: $id) { messages(first: 50) { edges { node { body } } } } }`, { id: ticket.id }, { token: ticket.token });
    const bodies = (seen.data!.workOrder as { messages: { edges: { node: { body: string } }[] } }).messages.edges.map((e) => e.node.body);
    expect(bodies).toContain(reply);
    expect(bodies).not.toContain(note);
  });

  it('inserts a saved reply the admin wrote, to be edited before sending', async () => {
    const title = `Reboot steps ${tag()}`;
    const body = `Please unplug the router for 30 seconds ${tag()}`;
    await signedIn('admin@skyline.example', async (page) => {
      await page.goto(`${origin}/admin/replies`);
      await page.fill('[data-testid=reply-title]', title);
      await page.fill('[data-testid=reply-body]', body);
      await page.click('[data-testid=reply-add]');
      await expect.poll(() => page.locator(`[data-testid=saved-reply][data-title="${title}"]`).count(), { timeout: 15_000 }).toBe(1);
      const violations = await seriousViolations(page);
      expect(violations, describeViolations('saved replies', violations).join('\n')).toEqual([]);
    });
    const ticket = await openTicket(`Saved reply ${tag()}`);
    await signedIn('agent@skyline.example', async (page) => {
      await page.goto(`${origin}/staff/tickets/${ticket.id}`);
      await ticketLoaded(page, ticket.number);
      await page.fill('[data-testid=message-input]', 'Hello,');
      await expect.poll(() => page.locator('[data-testid=saved-reply-select] option').allTextContents(), { timeout: 15_000 }).toContain(title);
      await page.selectOption('[data-testid=saved-reply-select]', { label: title });
      expect(await page.locator('[data-testid=message-input]').inputValue()).toBe(`Hello,\n\n${body}`);
    });
    // Agents insert saved replies; only admins change them.
    const agent = await emulatorIdToken('agent@skyline.example', 'skyline');
    const denied = await gql(gateway, `mutation { saveCannedReply(input: { title: "x", body: "y" }) { id } }`, {}, { token: agent });
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('triages priority, category, type and title with timeline entries; shows phone, recent tickets and call-backs', async () => {
    const earlier = await openTicket(`Earlier trouble ${tag()}`);
    const ticket = await openTicket(`Triage me ${tag()}`);
    const when = new Date(Date.now() + 86_400_000).toISOString();
    const cb = await gql(gateway, CALLBACK, { input: { workOrderId: ticket.id, preferredTime: when, phone: '+1 303 555 0142', note: 'After lunch', clientMutationId: randomUUID() } }, { token: ticket.token });
    expect(cb.errors).toBeUndefined();
    await signedIn('agent@skyline.example', async (page) => {
      await page.goto(`${origin}/staff/tickets/${ticket.id}`);
      await ticketLoaded(page, ticket.number);
      expect(await page.locator('[data-testid=recent-tickets]').textContent()).toContain(earlier.number);
      expect(await page.locator('[data-testid=recent-tickets]').textContent()).not.toContain(ticket.number);
      expect(await page.locator('[data-testid=ticket-callback]').textContent()).toContain('+1 303 555 0142');

      const newTitle = `Triaged ${tag()}`;
      await page.fill('[data-testid=triage-title]', newTitle);
      await page.selectOption('[data-testid=triage-priority]', 'HIGH');
      await page.selectOption('[data-testid=triage-category]', 'EQUIPMENT');
      await page.click('[data-testid=triage-save]');
      await expect.poll(() => page.locator('[data-testid=ticket-title]').textContent(), { timeout: 15_000 }).toBe(newTitle);
      const timeline = await page.locator('section:has(h2:text("Timeline"))').textContent();
      expect(timeline).toContain('priority Medium → High');
      expect(timeline).toContain('category Slow speed → Equipment');
    });
    const agent = await emulatorIdToken('agent@skyline.example', 'skyline');
    const after = await gql(gateway, `query($id: ID!) { workOrder(id: $id) { title priority category type } }`, { id: ticket.id }, { token: agent });
    expect(after.data!.workOrder).toMatchObject({ priority: 'HIGH', category: 'EQUIPMENT', type: 'SUPPORT' });
  });

  it('shows phone number of the customer on the ticket', async () => {
    const ticket = await openTicket(`Phone shown ${tag()}`);
    const agent = await emulatorIdToken('agent@skyline.example', 'skyline');
    const me = await gql(gateway, `query($id: ID!) { workOrder(id: $id) { customer { phone } } }`, { id: ticket.id }, { token: agent });
    const phone = (me.data!.workOrder as { customer: { phone: string | null } }).customer.phone;
    expect(phone).toBeTruthy();
    await signedIn('agent@skyline.example', async (page) => {
      await page.goto(`${origin}/staff/tickets/${ticket.id}`);
      await ticketLoaded(page, ticket.number);
      expect(await page.locator('[data-testid=customer-phone]').textContent()).toBe(phone);
    });
  });
});

describe('service levels', () => {
  it('lets the admin set business hours and targets, and the queue counts each ticket against them', async () => {
    await signedIn('admin@skyline.example', async (page) => {
      await page.goto(`${origin}/admin/service-levels`);
      await expect.poll(() => page.locator('[data-testid=sla-target]').count(), { timeout: 20_000 }).toBe(4);
      // Open every day, so the clock runs now whatever the day of the test.
      for (let day = 1; day <= 7; day++) await page.check(`[data-testid=sla-open-${day}]`);
      for (let day = 1; day <= 7; day++) {
        await page.locator('[data-testid=sla-day]').nth(day - 1).locator('input[type=time]').first().fill('00:00');
        await page.locator('[data-testid=sla-day]').nth(day - 1).locator('input[type=time]').last().fill('23:59');
      }
      await page.fill('[data-testid=sla-MEDIUM-firstResponseMinutes]', '90');
      await page.click('[data-testid=sla-save]');
      await expect.poll(() => page.locator('[data-testid=sla-message]').textContent(), { timeout: 15_000 }).toContain('saved');
      const violations = await seriousViolations(page);
      expect(violations, describeViolations('service levels', violations).join('\n')).toEqual([]);
    });
    const ticket = await openTicket(`Clock runs ${tag()}`);
    await signedIn('agent@skyline.example', async (page) => {
      await page.goto(`${origin}/staff/queue?q=${encodeURIComponent(ticket.number)}`);
      const row = page.locator(`[data-testid=queue-row][data-number="${ticket.number}"]`);
      await expect.poll(() => row.count(), { timeout: 20_000 }).toBe(1);
      // 90 minutes from now, give or take the minute it took to get here.
      expect(await row.locator('[data-testid=queue-sla]').textContent()).toMatch(/First reply due in 1 h (29|30) min/);
      await page.goto(`${origin}/staff/tickets/${ticket.id}`);
      await ticketLoaded(page, ticket.number);
      expect(await page.locator('[data-testid=ticket-sla]').textContent()).toMatch(/First reply due in/);
    });
    const admin = await emulatorIdToken('admin@skyline.example', 'skyline');
    // Back to a working week, as the other tests expect.
    const reset = await gql(gateway, `mutation($input: SlaPolicyInput!) { updateSlaPolicy(input: $input) { custom } }`, {
      input: { businessHours: [1, 2, 3, 4, 5].map((day) => ({ day, open: '08:00', close: '18:00' })), targets: [] },
    }, { token: admin });
    expect(reset.errors).toBeUndefined();
  });
});

describe('queue', () => {
  it("shows each ticket's age and how long it has waited in its status", async () => {
    const ticket = await openTicket(`Waiting shown ${tag()}`);
    await signedIn('agent@skyline.example', async (page) => {
      await page.goto(`${origin}/staff/queue?q=${encodeURIComponent(ticket.number)}`);
      const row = page.locator(`[data-testid=queue-row][data-number="${ticket.number}"]`);
      await expect.poll(() => row.count(), { timeout: 20_000 }).toBe(1);
      expect(await row.locator('[data-testid=queue-age]').textContent()).toMatch(/^\s*\d+ min\s*$/);
      expect(await row.locator('[data-testid=queue-waiting]').textContent()).toMatch(/Open for \d+ min/);
    });
  });
});
