/**
 * Customer notifications in the browser: a customer of the test's own sets what they receive and
 * sees what they were sent; an agent sees on the ticket and on the customer what went out; the
 * unsubscribe link of a real notification email asks first and unsubscribes only on the button.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';

// Mirrors the root test setup's declaration, which the portal's own type check does not see.
declare module 'vitest' {
  export interface ProvidedContext {
    portalPort: number;
    gatewayUrl: string;
    mongoUri: string;
    dbPrefix: string;
  }
}

const port = inject('portalPort');
const gateway = inject('gatewayUrl');
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));
const at = (path = '/') => `http://skyline.localhost:${port}${path}`;
const unique = () => randomBytes(4).toString('hex');

const PREFERENCES = `query ($id: ID!) { customer(id: $id) { notificationPreferences {
  emailEnabled smsEnabled smsStopped email { tickets visits outages } language timeZone quietHours { start end } } } }`;
const OPEN = `mutation ($input: OpenTicketInput!) { openTicket(input: $input) { id number } }`;

let browser: Browser;
let agent: string;
/** A Skyline customer with a login of their own, so no demo customer's settings change. */
let me: { id: string; email: string; name: string; password: string };

/** Waits until `check` gives a value (vi.waitFor retries while it throws). */
const eventually = <T>(check: () => Promise<T | null | undefined>) =>
  vi.waitFor(async () => (await check()) ?? Promise.reject(new Error('not yet')), { timeout: 20_000, interval: 250 });

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  mkdirSync(screenshots, { recursive: true });
  browser = await launchChromium();
  agent = await emulatorIdToken('agent@skyline.example', 'skyline');
  const n = unique();
  const email = `notify-${n}@example.com`;
  const name = `Nora Notify ${n}`;
  const created = await gql(gateway, `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { ok customer { id } } }`, {
    input: { accountNumber: `SKY-N${n}`, name, email, phone: `+1555${String(parseInt(n, 16) % 10_000_000).padStart(7, '0')}`, serviceStatus: 'ACTIVE' },
  }, { token: agent });
  const id = created.data?.createCustomer.customer.id as string;
  if (!id) throw new Error(JSON.stringify(created.errors));
  // The login is made in the background; once it exists staff can give it a temporary password.
  const password = await eventually(async () => {
    const r = await gql(gateway, `mutation ($id: ID!) { setTemporaryPortalPassword(customerId: $id) { ok temporaryPassword } }`, { id }, { token: agent });
    return r.data?.setTemporaryPortalPassword.ok ? (r.data.setTemporaryPortalPassword.temporaryPassword as string) : null;
  });
  me = { id, email, name, password };
});

afterAll(async () => {
  await browser?.close();
});

const preferences = async () => (await gql(gateway, PREFERENCES, { id: me.id }, { token: agent })).data!.customer.notificationPreferences;

async function signIn(page: Page, email: string, password: string) {
  await page.goto(at('/'));
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('nav.links').waitFor({ timeout: 20_000 });
}

async function openSettings(page: Page) {
  await page.goto(at('/account/settings'));
  await page.locator('[data-testid=notification-form]').waitFor({ timeout: 20_000 });
}

async function asCustomer<T>(run: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await signIn(page, me.email, me.password);
    return await run(page);
  } finally {
    await context.close();
  }
}

/** The unsubscribe link of the newest notification email about a ticket. */
async function unsubscribeLink(): Promise<string> {
  const mail = await eventually(async () => {
    const r = await gql(gateway, `query ($to: String) { outboxEmails(to: $to) { kind text } }`, { to: me.email }, { token: agent });
    return (r.data?.outboxEmails as { kind: string; text: string }[] | undefined)?.find((m) => m.kind === 'notification-ticket-received');
  });
  const link = /(https?:\/\/\S+\/unsubscribe\?token=\S+)/.exec(mail.text)?.[1];
  if (!link) throw new Error(`no unsubscribe link in: ${mail.text}`);
  return link;
}

/** A full-page screenshot at desktop width and again at a phone's. */
async function shoot(page: Page, name: string) {
  const size = page.viewportSize() ?? { width: 1280, height: 800 };
  await page.screenshot({ path: `${screenshots}${name}.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${screenshots}${name}-390.png`, fullPage: true });
  await page.setViewportSize(size);
}

const status = (page: Page) => page.locator('[data-testid=notification-save-status]').textContent();

describe('customer notifications in the portal', () => {
  it('keeps a customer’s language, category switch, time zone and quiet hours, and shows a bad quiet-hours value at its field', async () => {
    await asCustomer(async (page) => {
      await openSettings(page);
      await shoot(page, 'settings-notifications');
      await page.getByLabel('Language of our messages').selectOption('es');
      await page.getByRole('checkbox', { name: 'Emails about outages' }).uncheck();
      await page.getByLabel('Time zone').selectOption('America/Chicago');
      await page.getByRole('checkbox', { name: 'Hold texts during quiet hours' }).check();
      await page.getByLabel('From').fill('22:00');
      await page.getByLabel('Until').fill('06:30');
      await page.getByRole('button', { name: 'Save notification settings' }).click();
      await expect.poll(() => status(page), { timeout: 15_000 }).toBe('Saved.');

      await page.reload();
      await page.locator('[data-testid=notification-form]').waitFor({ timeout: 20_000 });
      expect(await page.getByLabel('Language of our messages').inputValue()).toBe('es');
      expect(await page.getByRole('checkbox', { name: 'Emails about outages' }).isChecked()).toBe(false);
      expect(await page.getByRole('checkbox', { name: 'Emails about tickets' }).isChecked()).toBe(true);
      expect(await page.getByLabel('From').inputValue()).toBe('22:00');
      expect(await page.getByLabel('Until').inputValue()).toBe('06:30');
      expect(await page.locator('[data-testid=effective-zone]').textContent()).toContain('America/Chicago');
      expect(await preferences()).toMatchObject({ language: 'es', timeZone: 'America/Chicago', email: { tickets: true, visits: true, outages: false }, quietHours: { start: '22:00', end: '06:30' } });

      // Quiet hours that end when they start: the server's error stands at the field, and nothing is saved.
      await page.getByLabel('Until').fill('22:00');
      await page.getByRole('button', { name: 'Save notification settings' }).click();
      const fieldError = page.locator('#error-quietHours-end');
      await expect.poll(() => fieldError.textContent(), { timeout: 15_000 }).toContain('must end at another time');
      expect(await fieldError.getAttribute('role')).toBe('alert');
      expect(await page.getByLabel('Until').getAttribute('aria-invalid')).toBe('true');
      expect(await status(page)).toContain('Not saved');
      await shoot(page, 'settings-quiet-hours-error');
      expect((await preferences()).quietHours).toEqual({ start: '22:00', end: '06:30' });
    });
  });

  it('says when texts are stopped by a STOP reply, and turning texts on again ends it', async () => {
    // A STOP reply reaches the customer record from the SMS provider; the test writes what it leaves there.
    const { connectMongo } = await import('@wisp/shared');
    const { Types } = await import('mongoose');
    const conn = await connectMongo('customer', { uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') });
    try {
      await conn.db!.collection('customers').updateOne(
        { _id: Types.ObjectId.createFromHexString(me.id) },
        { $set: { 'contactPreferences.sms': true, 'notificationSettings.smsStoppedAt': new Date() } },
      );
    } finally {
      await conn.close();
    }
    await asCustomer(async (page) => {
      await openSettings(page);
      expect(await page.locator('[data-testid=sms-stopped]').textContent()).toContain('replied STOP');
      expect(await page.locator('[data-testid=sms-phone]').textContent()).toMatch(/Texts go to \+1555\d{7}/);
      const texts = page.getByRole('checkbox', { name: 'Text messages' });
      expect(await texts.isChecked()).toBe(false);
      await shoot(page, 'settings-sms-stopped');
      await texts.check();
      await page.getByRole('button', { name: 'Save notification settings' }).click();
      await expect.poll(() => status(page), { timeout: 15_000 }).toBe('Saved.');
      expect(await page.locator('[data-testid=sms-stopped]').count()).toBe(0);
    });
    expect(await preferences()).toMatchObject({ smsEnabled: true, smsStopped: false });
  });

  it('lists the ticket-received email on the staff ticket once it is sent, on the staff customer page, and in the customer’s recent messages', async () => {
    const opened = await gql(gateway, OPEN, { input: { title: `Dish alignment ${unique()}`, description: 'Signal dropped after the wind.', category: 'EQUIPMENT', clientMutationId: randomUUID(), customerId: me.id } }, { token: agent });
    const ticket = opened.data?.openTicket as { id: string; number: string };
    if (!ticket) throw new Error(JSON.stringify(opened.errors));

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await signIn(page, 'agent@skyline.example', 'demo-password');
      await page.goto(at(`/staff/tickets/${ticket.id}`));
      await page.locator('[data-testid=customer-notifications]').waitFor({ timeout: 20_000 });
      const panel = page.locator('[data-testid=customer-notifications]');
      const received = panel.locator('[data-testid=notification-delivery][data-kind=ticket-received][data-channel=EMAIL]');
      await expect.poll(() => received.getAttribute('data-status'), { timeout: 30_000 }).toBe('SENT');
      expect(await received.count()).toBe(1);
      expect(await received.locator('[data-testid=delivery-status]').textContent()).toMatch(/^Emailed \d{1,2}:\d{2}\s?[AP]M · sent$/);
      expect(await received.textContent()).toContain(`to ${me.email}`);

      // A reply while the page is open: its email is planned and sent after the page's live refresh,
      // and the panel follows it to "sent" by itself, without a reload.
      await page.locator('[data-testid=live-status][data-status=live]').waitFor({ timeout: 20_000 });
      await page.evaluate(() => ((window as unknown as { __stillHere: boolean }).__stillHere = true));
      const SEND = `mutation ($input: SendMessageInput!) { sendMessage(input: $input) { id } }`;
      await gql(gateway, SEND, { input: { workOrderId: ticket.id, body: 'We will re-aim the dish tomorrow morning.', clientMutationId: randomUUID() } }, { token: agent });
      const reply = panel.locator('[data-testid=notification-delivery][data-kind=staff-reply]');
      await expect.poll(() => reply.getAttribute('data-status'), { timeout: 30_000 }).toBe('SENT');
      expect(await page.evaluate(() => (window as unknown as { __stillHere?: boolean }).__stillHere)).toBe(true);
      // Newest first.
      expect(await panel.locator('[data-testid=notification-delivery]').first().getAttribute('data-kind')).toBe('staff-reply');
      await shoot(page, 'staff-ticket-notifications');

      await page.goto(at(`/staff/customers/${me.id}`));
      const summary = page.locator('[data-testid=customer-notification-panel]');
      await summary.waitFor({ timeout: 20_000 });
      expect(await summary.locator('[data-testid=notification-language]').textContent()).toBe('Español');
      expect(await summary.locator('[data-testid=notification-quiet-hours]').textContent()).toContain('22:00–06:30');
      expect(await summary.locator('[data-testid=notification-preferences]').textContent()).toContain('On: tickets, visits only');
      expect(await summary.locator('[data-testid=notification-delivery][data-kind=ticket-received]').getAttribute('data-status')).toBe('SENT');
      await shoot(page, 'staff-customer-notifications');
    } finally {
      await context.close();
    }

    await asCustomer(async (page) => {
      await openSettings(page);
      const row = page.locator('[data-testid=notification-log] [data-testid=notification-delivery][data-kind=ticket-received]');
      // Her language is Spanish now: the subject is the one she was sent.
      expect(await row.textContent()).toContain(`Recibimos su ticket ${ticket.number}`);
      expect(await row.locator('[data-testid=delivery-status]').textContent()).toBe('Sent');
      const when = (await row.locator('time').textContent())!;
      expect(when).toMatch(/^\w{3}, \w{3} \d{1,2}, \d{1,2}:\d{2}\s?[AP]M$/);
      expect(when).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
      await shoot(page, 'settings-recent-messages');
    });
  });

  it('shows a clear error for a bad unsubscribe link, and unsubscribes with a real one only when the button is pressed', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(at('/unsubscribe?token=not-a-token'));
      const error = page.getByRole('alert');
      await expect.poll(() => error.textContent(), { timeout: 15_000 }).toContain('not valid');
      expect(await page.getByRole('button', { name: /Stop/ }).count()).toBe(0);
      await shoot(page, 'unsubscribe-bad-token');

      await gql(gateway, OPEN, { input: { title: `Router lights ${unique()}`, description: 'All dark.', category: 'NO_SERVICE', clientMutationId: randomUUID(), customerId: me.id } }, { token: agent });
      const link = await unsubscribeLink();
      expect(link.startsWith(at('/unsubscribe?token='))).toBe(true);

      // A token whose signature was altered reads like a real one until the server refuses it.
      const forged = new URL(link);
      forged.searchParams.set('token', forged.searchParams.get('token')!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
      await page.goto(forged.toString());
      await page.getByRole('button', { name: 'Stop these emails' }).click();
      await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('not valid');
      expect((await preferences()).email.tickets).toBe(true);

      await page.goto(link);
      const question = page.getByRole('heading', { name: 'Stop emails about your tickets from Skyline Wireless?' });
      await question.waitFor({ timeout: 15_000 });
      // Opening the link (as a mail scanner would) changed nothing.
      await page.waitForTimeout(500);
      expect((await preferences()).email.tickets).toBe(true);
      await shoot(page, 'unsubscribe-ask');

      await page.getByRole('button', { name: 'Stop these emails' }).click();
      const done = page.locator('[data-testid=unsubscribe-done]');
      await expect.poll(() => done.textContent(), { timeout: 15_000 }).toContain('Skyline Wireless will send you no more emails about your tickets');
      expect(await done.getAttribute('role')).toBe('status');
      expect(await page.getByRole('link', { name: /sign in and open your settings/ }).getAttribute('href')).toBe('/account/settings#notifications');
      await shoot(page, 'unsubscribe-done');
      // That one category of email is off; what she chose before stays.
      expect((await preferences()).email).toEqual({ tickets: false, visits: true, outages: false });
    } finally {
      await context.close();
    }
  });
});
