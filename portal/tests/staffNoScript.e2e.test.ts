/**
 * Staff without JavaScript: an agent signs in with the plain form, finds a customer's ticket in the
 * queue by its filters, replies, adds an internal note and moves it on, all as plain posts the
 * portal's server answers; the customer then sees the reply and never the note. Customers and
 * signed-out visitors are turned away from staff screens by the server, with no scripts to help.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
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
const PASSWORD = process.env.DEMO_PASSWORD ?? 'demo-password';
const tag = () => randomUUID().slice(0, 8);
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];

let browser: Browser;

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  mkdirSync(screenshots, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

async function openTicketAsBob(title: string) {
  const token = await emulatorIdToken('bob@skyline.example', 'skyline');
  const r = await gql(gateway, `mutation ($input: OpenTicketInput!) { openTicket(input: $input) { id number } }`, { input: { title, description: 'Opened for a test.', category: 'OTHER', clientMutationId: randomUUID() } }, { token });
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return { ...(r.data!.openTicket as { id: string; number: string }), token };
}

/** The start page's plain form, as a browser without scripts posts it. */
async function signInWithoutScripts(page: Page, email: string) {
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A form post straight to the portal (as a crafted page or script would send it), with a session cookie. */
function postForm(path: string, form: Record<string, string>, cookie: string): Promise<{ status: number; body: string }> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        headers: { host: `skyline.localhost:${port}`, origin, cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const overflows = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1);

describe('staff without JavaScript', () => {
  for (const viewport of VIEWPORTS) {
    it(`works a customer's ticket from the queue at ${viewport.width}px: filter, reply, note, status`, async () => {
      const title = `No-script staff ${tag()}`;
      const ticket = await openTicketAsBob(title);
      const context: BrowserContext = await browser.newContext({ javaScriptEnabled: false, viewport });
      try {
        const page = await context.newPage();
        await page.goto(`${origin}/`);
        await signInWithoutScripts(page, 'agent@skyline.example');

        // The staff start page comes from the server: who is signed in, the queue's counts, every staff screen.
        await page.getByTestId('staff-dashboard').waitFor();
        expect(await page.getByTestId('viewer-role').textContent()).toBe('Support agent');
        expect(await page.getByTestId('count-unassigned').textContent()).toMatch(/\d+\+? unassigned/);
        for (const href of ['/staff/queue', '/staff/customers', '/staff/visits']) expect(await page.locator(`main a[href="${href}"]`).count(), href).toBeGreaterThan(0);
        expect(await page.getByTestId('nav-queue').count()).toBe(1);
        await page.screenshot({ path: `${screenshots}staff-noscript-dashboard-${viewport.name}.png`, fullPage: true });

        await page.getByTestId('queue-link').click();
        await page.waitForURL(`${origin}/staff/queue`);
        expect(await page.locator('[data-testid=queue-row]').count()).toBeGreaterThan(0);
        expect(await page.getByTestId('live-status').count()).toBe(0);

        // The filters are a plain GET form: the address carries them.
        await page.fill('[data-testid=queue-search]', title);
        await page.selectOption('[data-testid=queue-status]', 'OPEN');
        await page.getByTestId('queue-apply').click();
        await page.waitForURL((u) => u.searchParams.get('q') === title && u.searchParams.get('status') === 'OPEN');
        const rows = page.locator('[data-testid=queue-row]');
        expect(await rows.count()).toBe(1);
        const row = page.locator(`[data-testid=queue-row][data-number="${ticket.number}"]`);
        expect(await row.getByTestId('queue-age').textContent()).toMatch(/\d+ min|just now|\d+ s/);
        expect(await row.getByTestId('queue-waiting').textContent()).toMatch(/^\s*Open for /);
        expect(await page.inputValue('[data-testid=queue-search]')).toBe(title);
        expect(await overflows(page), 'the queue scrolls sideways').toBe(false);
        await page.screenshot({ path: `${screenshots}staff-noscript-queue-${viewport.name}.png`, fullPage: true });

        await row.locator('a').first().click();
        await page.waitForURL(`${origin}/staff/tickets/${ticket.id}`);
        expect(await page.getByTestId('ticket-title').textContent()).toBe(title);
        // Everything on it came with the page: nothing waits for scripts that never run.
        expect(await page.getByTestId('customer-notifications').textContent()).not.toMatch(/Loading/);
        expect(await page.locator('[role=status]', { hasText: /Loading/ }).count()).toBe(0);

        // A reply of only spaces is refused with a message by the box, and nothing is posted.
        await page.fill('[data-testid=message-input]', '   ');
        await page.getByTestId('send-message').click();
        expect(await page.getByTestId('message-problem').textContent()).toBe('Write a message first.');

        const reply = `We are on it ${tag()}`;
        await page.fill('[data-testid=message-input]', reply);
        await page.getByTestId('send-message').click();
        const publicOne = page.locator('[data-testid=message][data-internal=false]', { hasText: reply });
        await publicOne.waitFor();
        // Resubmitting the same post (a reload after sending) never adds a second copy.
        await page.reload();
        expect(await page.locator('[data-testid=message]', { hasText: reply }).count()).toBe(1);

        const note = `Check the sector antenna ${tag()}`;
        await page.goto(`${origin}/staff/tickets/${ticket.id}`);
        await page.fill('[data-testid=note-input]', note);
        await page.getByTestId('add-note').click();
        await page.locator('[data-testid=message][data-internal=true]', { hasText: note }).waitFor();
        // Each box is its own form: the reply box is empty again, the note is marked as staff only.
        expect(await page.inputValue('[data-testid=message-input]')).toBe('');
        expect(await page.locator('[data-testid=message][data-internal=true]', { hasText: note }).locator('.note-tag').textContent()).toBe('Internal note');

        await page.selectOption('[data-testid=status-select]', 'IN_PROGRESS');
        await page.getByTestId('change-status').click();
        await expect.poll(() => page.locator('[data-testid=staff-ticket-page] header [data-testid=status-badge]').getAttribute('data-status')).toBe('IN_PROGRESS');

        // A colleague moves it meanwhile: the form the agent still has is refused with a clear message, never a crash.
        const agent = await emulatorIdToken('agent@skyline.example', 'skyline');
        const moved = await gql(gateway, `mutation ($id: ID!) { changeWorkOrderStatus(id: $id, status: WAITING_ON_CUSTOMER) { status } }`, { id: ticket.id }, { token: agent });
        expect(moved.errors).toBeUndefined();
        await page.selectOption('[data-testid=status-select]', 'RESOLVED');
        const refused = page.waitForResponse((r) => r.request().method() === 'POST');
        await page.getByTestId('change-status').click();
        expect((await refused).status()).toBe(409);
        expect(await page.getByTestId('action-error').textContent()).toContain('Someone else changed this ticket');
        expect(await page.locator('[data-testid=staff-ticket-page] header [data-testid=status-badge]').getAttribute('data-status')).toBe('WAITING_ON_CUSTOMER');

        // Assign to me, as a plain post.
        await page.getByTestId('assign-me').click();
        await page.waitForLoadState();
        expect(await page.locator('[data-testid=assignee-select] option:checked').textContent()).not.toBe('Unassigned');
        expect(await overflows(page), 'the ticket page scrolls sideways').toBe(false);
        await page.screenshot({ path: `${screenshots}staff-noscript-ticket-${viewport.name}.png`, fullPage: true });
      } finally {
        await context.close();
      }

      // The customer sees the reply and the status, never the note.
      const seen = await gql(gateway, `query ($id: ID!) { workOrder(id: $id) { status messages(first: 50) { edges { node { body } } } } }`, { id: ticket.id }, { token: ticket.token });
      expect(seen.errors).toBeUndefined();
      const bodies = (seen.data!.workOrder.messages.edges as { node: { body: string } }[]).map((e) => e.node.body);
      expect(bodies.filter((b) => b.startsWith('We are on it'))).toHaveLength(1);
      expect(bodies.some((b) => b.startsWith('Check the sector antenna'))).toBe(false);
      expect(seen.data!.workOrder.status).toBe('WAITING_ON_CUSTOMER');

      // And on their own page, rendered by the server without scripts too.
      const customer = await browser.newContext({ javaScriptEnabled: false, viewport });
      try {
        const page = await customer.newPage();
        await page.goto(`${origin}/tickets/${ticket.id}`);
        await signInWithoutScripts(page, 'bob@skyline.example');
        await page.waitForURL(`${origin}/tickets/${ticket.id}`);
        const text = await page.getByTestId('messages').textContent();
        expect(text).toMatch(/We are on it/);
        expect(text).not.toMatch(/Check the sector antenna/);
      } finally {
        await customer.close();
      }
    });
  }

  for (const viewport of VIEWPORTS) {
    it(`finds, creates and provisions customers at ${viewport.width}px`, async () => {
      const n = tag();
      const context: BrowserContext = await browser.newContext({ javaScriptEnabled: false, viewport });
      try {
        const page = await context.newPage();
        await page.goto(`${origin}/staff/customers`);
        await page.waitForURL(`${origin}/sign-in?next=${encodeURIComponent('/staff/customers')}`);
        await signInWithoutScripts(page, 'agent@skyline.example');
        await page.waitForURL(`${origin}/staff/customers`);
        // The list came with the page; the search is a plain GET form whose address carries it.
        expect(await page.locator('[data-testid=customer-row]').count()).toBeGreaterThan(0);
        await page.fill('input[name=search]', 'carol');
        await page.getByRole('button', { name: 'Search' }).click();
        await page.waitForURL((u) => u.searchParams.get('search') === 'carol');
        expect(await page.locator('[data-testid=customer-row]').count()).toBe(1);
        expect(await page.getByTestId('customer-table').textContent()).toContain('SKY-10003');

        // A refused new customer keeps what was typed and says what is wrong.
        await page.getByRole('button', { name: 'New customer' }).click();
        await page.waitForURL((u) => u.searchParams.get('new') === '1');
        await page.fill('form input[name=accountNumber]', `SKY-NS${n}`);
        await page.fill('form input[name=name]', `No Script ${n}`);
        await page.fill('form input[name=email]', 'not an email');
        await page.getByRole('button', { name: 'Create customer' }).click();
        await page.locator('.field-error').first().waitFor();
        expect(await page.inputValue('form input[name=name]')).toBe(`No Script ${n}`);
        expect(await page.locator('input[name=email][aria-invalid=true]').count()).toBe(1);
        expect(await overflows(page), 'the customers page scrolls sideways').toBe(false);
        await page.screenshot({ path: `${screenshots}staff-noscript-customers-${viewport.name}.png`, fullPage: true });

        await page.fill('form input[name=email]', `noscript-${n}@example.com`);
        await page.getByRole('button', { name: 'Create customer' }).click();
        await page.waitForURL(/\/staff\/customers\/[0-9a-f]{24}$/);

        // Two made without a login, provisioned from the list by checking their rows.
        const agent = await emulatorIdToken('agent@skyline.example', 'skyline');
        for (const suffix of ['A', 'B']) {
          const made = await gql(gateway, `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { ok } }`, { input: { accountNumber: `SKY-NB${n}${suffix}`, name: `Batch ${n} ${suffix}`, serviceStatus: 'ACTIVE', ...(suffix === 'B' ? { email: `nb-${n}@example.com` } : {}) } }, { token: agent });
          expect(made.data?.createCustomer?.ok, JSON.stringify(made.errors)).toBe(true);
        }
        await page.goto(`${origin}/staff/customers?search=${encodeURIComponent(`Batch ${n}`)}`);
        expect(await page.locator('[data-testid=customer-row]').count()).toBe(2);
        await page.getByRole('checkbox', { name: `Select Batch ${n} A` }).check();
        await page.getByRole('checkbox', { name: `Select Batch ${n} B` }).check();
        await page.getByRole('button', { name: 'Provision portal access' }).click();
        await page.getByTestId('batch-results').waitFor();
        const text = await page.getByTestId('batch-results').textContent();
        expect(text).toContain(`Batch ${n} A: The customer has no email address.`);
        expect(text).toMatch(new RegExp(`Batch ${n} B: (Welcome email queued|Already invited)\\.`));
        // The answer is at the list's own address: the search stays.
        expect(new URL(page.url()).searchParams.get('search')).toBe(`Batch ${n}`);
      } finally {
        await context.close();
      }
    });
    it(`works a customer's portal access and people at ${viewport.width}px`, async () => {
      const n = tag();
      const agent = await emulatorIdToken('agent@skyline.example', 'skyline');
      const made = await gql(gateway, `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { ok customer { id } } }`, { input: { accountNumber: `SKY-NP${n}`, name: `Pia People ${n}`, email: `np-${n}@example.com`, serviceStatus: 'ACTIVE' } }, { token: agent });
      const id = made.data?.createCustomer?.customer?.id as string;
      expect(id, JSON.stringify(made.errors)).toBeTruthy();
      const context: BrowserContext = await browser.newContext({ javaScriptEnabled: false, viewport });
      try {
        const page = await context.newPage();
        await page.goto(`${origin}/staff/customers/${id}`);
        await signInWithoutScripts(page, 'agent@skyline.example');
        await page.waitForURL(`${origin}/staff/customers/${id}`);
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(`Pia People ${n}`);
        // The login is made in the background: the page says so and is looked at again by hand.
        for (let i = 0; i < 40 && /setting up/.test((await page.getByTestId('portal-access').textContent()) ?? ''); i++) {
          await page.waitForTimeout(500);
          await page.reload();
        }
        expect(await page.getByTestId('access-status').textContent()).toMatch(/Invited|Active/);
        const before = await page.getByTestId('access-status').textContent();

        await page.getByRole('button', { name: 'Temporary password' }).click();
        expect((await page.getByTestId('access-secret').textContent())!.trim()).toMatch(/\S{8,}/);

        // Revoking asks first, as a step of its own; keeping access changes nothing.
        await page.getByRole('button', { name: 'Revoke' }).click();
        await page.waitForURL((u) => u.searchParams.get('confirm') === 'revoke');
        expect(await page.getByRole('alertdialog').count()).toBe(1);
        await page.getByRole('link', { name: 'Keep access' }).click();
        await page.waitForURL(`${origin}/staff/customers/${id}`);
        expect(await page.getByRole('alertdialog').count()).toBe(0);
        expect(await page.getByTestId('access-status').textContent()).toBe(before);
        await page.getByRole('button', { name: 'Revoke' }).click();
        await page.getByRole('button', { name: 'Yes, revoke access' }).click();
        expect(await page.getByTestId('access-status').textContent()).toBe('Revoked');
        expect(await page.getByTestId('access-message').textContent()).toBe('Access revoked.');
        await page.getByRole('button', { name: 'Restore' }).click();
        expect(await page.getByTestId('access-message').textContent()).toBe('Access restored.');
        expect(await page.getByTestId('access-status').textContent()).not.toBe('Revoked');

        // A property manager: a bad address is told at its field with what was typed kept; then linked and removed after asking.
        const form = page.getByTestId('link-manager-form');
        await form.getByLabel('Email').fill('nope');
        await form.getByLabel('Name (optional)').fill('Lee Lettings');
        await form.getByRole('button', { name: 'Link manager' }).click();
        expect(await page.getByTestId('link-manager-form').locator('.notice-error').count()).toBe(1);
        expect(await page.getByTestId('link-manager-form').getByLabel('Name (optional)').inputValue()).toBe('Lee Lettings');
        const managerEmail = `np-manager-${n}@example.com`;
        await page.getByTestId('link-manager-form').getByLabel('Email').fill(managerEmail);
        await page.getByTestId('link-manager-form').getByRole('button', { name: 'Link manager' }).click();
        expect(await page.getByTestId('people-message').textContent()).toContain("is now this account's property manager");
        const row = page.locator(`[data-testid=staff-person][data-email="${managerEmail}"]`);
        expect(await row.getAttribute('data-role')).toBe('MANAGER');
        expect(await overflows(page), 'the customer page scrolls sideways').toBe(false);
        await page.screenshot({ path: `${screenshots}staff-noscript-customer-${viewport.name}.png`, fullPage: true });
        await row.getByRole('button', { name: /Remove/ }).click();
        await page.waitForURL((u) => !!u.searchParams.get('remove'));
        await page.locator(`[data-testid=staff-person][data-email="${managerEmail}"]`).getByTestId('staff-remove-confirm-button').click();
        expect(await page.locator(`[data-testid=staff-person][data-email="${managerEmail}"]`).count()).toBe(0);
        expect(await page.getByTestId('people-message').textContent()).toContain('no longer has access');
      } finally {
        await context.close();
      }
    });
  }

  it('sends a signed-out visitor to sign in and back, and shows a customer "not available"', async () => {
    const { id } = await openTicketAsBob(`No-script gate ${tag()}`);
    const visitor = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await visitor.newPage();
      await page.goto(`${origin}/staff/tickets/${id}`);
      await page.waitForURL(`${origin}/sign-in?next=${encodeURIComponent(`/staff/tickets/${id}`)}`);
      await signInWithoutScripts(page, 'agent@skyline.example');
      await page.waitForURL(`${origin}/staff/tickets/${id}`);
      await page.getByTestId('staff-ticket-page').waitFor();
    } finally {
      await visitor.close();
    }

    const customer = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await customer.newPage();
      await page.goto(`${origin}/`);
      await signInWithoutScripts(page, 'bob@skyline.example');
      await page.getByTestId('customer-name').waitFor();
      for (const path of ['/staff/queue', `/staff/tickets/${id}`, '/staff/visits', '/staff/customers', `/staff/customers/${'0'.repeat(24)}`]) {
        const res = await page.goto(`${origin}${path}`);
        expect(res?.status(), path).toBe(403);
        const main = page.locator('main');
        expect(await main.getByRole('heading', { level: 1 }).allTextContents(), path).toEqual(['Not available']);
        expect(await main.locator('input, textarea, select, [data-testid=queue-row], [data-testid=staff-ticket-page]').count(), path).toBe(0);
      }
      // Nor can a customer post to a staff form: the server refuses before any action runs.
      const cookie = (await customer.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
      const sneaky = `Not for staff eyes ${tag()}`;
      const post = await postForm(`/staff/tickets/${id}?/note`, { body: sneaky, clientMutationId: randomUUID() }, cookie);
      expect(post.status).toBe(403);
      const agent = await emulatorIdToken('agent@skyline.example', 'skyline');
      const seen = await gql(gateway, `query ($id: ID!) { workOrder(id: $id) { messages(first: 20) { edges { node { body } } } } }`, { id }, { token: agent });
      expect((seen.data!.workOrder.messages.edges as { node: { body: string } }[]).map((e) => e.node.body)).not.toContain(sneaky);
      // Nor change anyone's portal access.
      const revoke = await postForm(`/staff/customers/${'0'.repeat(24)}?/access`, { op: 'revoke', confirm: 'yes' }, cookie);
      expect(revoke.status).toBe(403);
      // Nor create a customer of the tenant.
      const account = `SKY-X${tag()}`;
      const made = await postForm(`/staff/customers?/create`, { accountNumber: account, name: 'Sneaky Customer', clientMutationId: randomUUID() }, cookie);
      expect(made.status).toBe(403);
      const found = await gql(gateway, `query ($s: String) { customers(search: $s, first: 5) { edges { node { id } } } }`, { s: account }, { token: agent });
      expect(found.data!.customers.edges).toHaveLength(0);
    } finally {
      await customer.close();
    }
  });
});
