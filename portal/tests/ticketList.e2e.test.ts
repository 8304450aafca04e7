/**
 * A customer's ticket list and new-ticket form, rendered by the portal's server: the first HTML
 * response holds the tickets, filters and paging live in the address and work without scripts,
 * each row is one link, and a new ticket (with a file) is filed exactly once however often the
 * form is sent. Checked with and without JavaScript, on a desktop and a phone, and with axe.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { documentsLoaded, launchChromium, scriptsRunning } from './browser.ts';

const port = inject('portalPort');
const gateway = inject('gatewayUrl');
const at = (path = '/', slug = 'skyline') => `http://${slug}.localhost:${port}${path}`;
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));
const PASSWORD = process.env.DEMO_PASSWORD ?? 'demo-password';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const run = randomUUID().slice(0, 8);
/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

let browser: Browser;
let bob: string, alice: string, agent: string;
const OPEN = `mutation ($input: OpenTicketInput!) { openTicket(input: $input) { id number } }`;

async function open(token: string, title: string, category: string): Promise<string> {
  const r = await gql(gateway, OPEN, { input: { title, description: 'Opened for the list checks.', category, clientMutationId: randomUUID() } }, { token });
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.openTicket.id as string;
}

/** Bob's tickets with this exact title, as the API lists them (with their files). */
async function bobsTicketsTitled(title: string): Promise<{ id: string; attachments: { filename: string }[] }[]> {
  const r = await gql(gateway, `{ viewer { customer { tickets(first: 100) { edges { node { id title attachments { filename } } } } } } }`, {}, { token: bob });
  return (r.data!.viewer.customer.tickets.edges as { node: { id: string; title: string; attachments: { filename: string }[] } }[]).map((e) => e.node).filter((n) => n.title === title);
}

/**
 * A plain HTTP request to the portal as the tenant's host (Node does not resolve `*.localhost`;
 * the browser does): what a client without any scripts, or a retrying proxy, would send.
 */
async function plain(path: string, options: { cookie?: string; form?: FormData; origin?: string } = {}): Promise<{ status: number; location: string | undefined; body: string }> {
  const host = `skyline.localhost:${port}`;
  let body: Buffer | undefined;
  // As a browser's navigation: it asks for a page (SvelteKit answers an action's JSON otherwise).
  const headers: Record<string, string | number> = { host, accept: 'text/html,application/xhtml+xml', ...(options.cookie ? { cookie: options.cookie } : {}) };
  if (options.form) {
    const encoded = new Request('http://portal/', { method: 'POST', body: options.form });
    body = Buffer.from(await encoded.arrayBuffer());
    Object.assign(headers, { 'content-type': encoded.headers.get('content-type')!, 'content-length': body.length, origin: options.origin ?? `http://${host}` });
  }
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: body ? 'POST' : 'GET', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const cookieOf = async (context: BrowserContext) =>
  (await context.cookies()).filter((c) => c.name.startsWith('wisp_')).map((c) => `${c.name}=${c.value}`).join('; ');

async function signIn(context: BrowserContext, email: string, next = '/tickets'): Promise<Page> {
  const page = await context.newPage();
  await page.goto(at(`/sign-in?next=${encodeURIComponent(next)}`));
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === next.split('?')[0]);
  return page;
}

async function seriousA11yViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run(document);
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.targets.join(', ')}`);
}

const overflowing = (page: Page) =>
  page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => `${e.tagName}.${e.className}`).slice(0, 8));

const rowTitles = (page: Page) => page.getByTestId('ticket-row-title').allTextContents();

let billing: string, urgent: string, slow: string, alices: string;
const T = { billing: `Invoice charged twice ${run}`, urgent: `Mast down in the storm ${run}`, slow: `Evenings are slow ${run}`, alice: `Alice only ${run}` };

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  mkdirSync(screenshots, { recursive: true });
  [bob, alice, agent] = await Promise.all([
    emulatorIdToken('bob@skyline.example', 'skyline'),
    emulatorIdToken('alice@skyline.example', 'skyline'),
    emulatorIdToken('agent@skyline.example', 'skyline'),
  ]);
  billing = await open(bob, T.billing, 'BILLING');
  urgent = await open(bob, T.urgent, 'SLOW_SPEED');
  slow = await open(bob, T.slow, 'SLOW_SPEED');
  alices = await open(alice, T.alice, 'BILLING');
  const up = await gql(gateway, `mutation ($id: ID!) { updateTicketDetails(id: $id, input: { priority: URGENT }) { id } }`, { id: urgent }, { token: agent });
  if (up.errors) throw new Error(JSON.stringify(up.errors));
  const sent = await gql(gateway, `mutation ($input: SendMessageInput!) { sendMessage(input: $input) { id } }`, { input: { workOrderId: slow, body: `Is it better after 9pm? ${run}`, clientMutationId: randomUUID() } }, { token: agent });
  if (sent.errors) throw new Error(JSON.stringify(sent.errors));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe('the ticket list', () => {
  it('is in the first HTML response of a plain GET with the session cookie, filtered by the address, and only the customer’s own', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    await signIn(context, 'bob@skyline.example');
    const cookie = await cookieOf(context);
    await context.close();
    const get = (path: string, withCookie = true) => plain(path, withCookie ? { cookie } : {});

    const all = await get('/tickets');
    expect(all.status).toBe(200);
    const html = all.body;
    for (const title of [T.billing, T.urgent, T.slow]) expect(html).toContain(title);
    expect(html).not.toContain(T.alice);
    expect(html).not.toContain(`/tickets/${alices}`);
    // Rows say status, category, priority and the last update in words.
    const row = html.slice(html.indexOf(`data-ticket-id="${urgent}"`), html.indexOf('</li>', html.indexOf(`data-ticket-id="${urgent}"`)));
    expect(row).toContain('Open');
    expect(row).toContain('Slow speed');
    expect(row).toContain('Urgent priority');
    expect(row).toMatch(/Updated[\s\S]{0,300}?>(just now|\d+ minutes? ago)</);

    const billed = (await get('/tickets?category=BILLING')).body;
    expect(billed).toContain(T.billing);
    expect(billed).not.toContain(T.urgent);
    expect(billed).not.toContain(T.alice);
    const urgentOnly = (await get('/tickets?priority=URGENT&category=SLOW_SPEED')).body;
    expect(urgentOnly).toContain(T.urgent);
    expect(urgentOnly).not.toContain(T.slow);
    // The selects show the filters the address holds.
    expect(urgentOnly).toMatch(/<option value="URGENT" selected/);

    // The agent's reply shows as new on the list once the conversation counts it.
    await expect.poll(async () => {
      const page = (await get('/tickets?category=SLOW_SPEED')).body;
      const at = page.indexOf(`data-ticket-id="${slow}"`);
      return page.slice(at, page.indexOf('</li>', at));
    }, { timeout: 15_000 }).toContain('1 new message');

    // Signed out: to the sign-in page, coming back to the same filters.
    const out = await get('/tickets?category=BILLING', false);
    expect(out.status).toBe(303);
    expect(out.location).toBe(`/sign-in?next=${encodeURIComponent('/tickets?category=BILLING')}`);
  });

  it('filters and pages through links and a GET form without JavaScript, and the whole row opens the ticket (phone)', async () => {
    // More than a page of one category, so the list pages.
    const many = `Relocation paperwork ${run}`;
    const ids = await Promise.all(Array.from({ length: 21 }, (_, i) => open(bob, `${many} #${i}`, 'RELOCATION')));
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: PHONE });
    const page = await signIn(context, 'bob@skyline.example');
    await page.getByTestId('category-filter').selectOption('BILLING');
    await page.getByTestId('apply-filters').click();
    await page.waitForURL(/\/tickets\?status=&category=BILLING&priority=$/);
    const titles = await rowTitles(page);
    expect(titles).toContain(T.billing);
    expect(titles).not.toContain(T.urgent);
    expect(titles).not.toContain(T.alice);
    expect(await page.getByTestId('ticket-category').allTextContents()).toEqual(titles.map(() => 'Billing'));
    expect(await overflowing(page), 'elements past the right edge').toEqual([]);
    await page.screenshot({ path: `${screenshots}ticket-list-noscript-phone.png`, fullPage: true });
    // Anywhere on the row opens it: here its category, far from the title.
    const row = page.locator(`[data-testid=ticket-row][data-ticket-id="${billing}"]`);
    expect(await row.getByRole('link').count()).toBe(1);
    await row.getByTestId('ticket-category').click();
    await page.waitForURL(at(`/tickets/${billing}`));
    expect(await page.getByTestId('ticket-title').textContent()).toBe(T.billing);
    await page.goBack();
    await page.waitForURL(/category=BILLING/);

    await page.getByTestId('category-filter').selectOption('RELOCATION');
    await page.getByTestId('apply-filters').click();
    await page.waitForURL(/category=RELOCATION/);
    const seen: string[] = [];
    for (let pages = 0; pages < 10; pages++) {
      seen.push(...(await page.getByTestId('ticket-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-ticket-id')!))));
      const older = page.getByTestId('older-tickets');
      if (!(await older.count())) break;
      expect(await older.getAttribute('href')).toMatch(/^\/tickets\?category=RELOCATION&after=/);
      await older.click();
      await page.waitForURL(/after=/);
      expect(await page.getByTestId('newest-tickets').count()).toBe(1);
    }
    expect(seen.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
    expect(new Set(seen).size).toBe(seen.length);

    await page.getByTestId('clear-filters').click();
    await page.waitForURL(/\/tickets$/);
    expect(await page.getByTestId('category-filter').inputValue()).toBe('');
    await context.close();
  }, 60_000);

  for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    it(`filters at once with JavaScript, without reloading, opens a row anywhere, and has no serious axe violations (${name})`, async () => {
      const context = await browser.newContext({ viewport, bypassCSP: true });
      const page = await signIn(context, 'bob@skyline.example', '/tickets?category=SLOW_SPEED');
      await page.getByTestId('ticket-row').first().waitFor();
      await scriptsRunning(page);
      expect(await seriousA11yViolations(page)).toEqual([]);
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
      await page.getByTestId('priority-filter').selectOption('URGENT');
      await page.waitForURL(/category=SLOW_SPEED&priority=URGENT/);
      await expect.poll(() => rowTitles(page), { timeout: 10_000 }).toContain(T.urgent);
      expect(await rowTitles(page)).not.toContain(T.slow);
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);
      expect(await overflowing(page), 'elements past the right edge').toEqual([]);
      await page.screenshot({ path: `${screenshots}ticket-list-${name}.png`, fullPage: true });

      // Back returns to the list before that filter: the address is the state.
      await page.goBack();
      await expect.poll(() => rowTitles(page), { timeout: 10_000 }).toContain(T.slow);
      expect(await page.getByTestId('priority-filter').inputValue()).toBe('');
      expect(await page.getByTestId('category-filter').inputValue()).toBe('SLOW_SPEED');

      const row = page.locator(`[data-testid=ticket-row][data-ticket-id="${urgent}"]`);
      const box = (await row.boundingBox())!;
      // The row's right-hand end, where no text is; measured where the row is when clicked (the
      // live-updates indicator can still move the list down once the browser's login is ready).
      await row.click({ position: { x: box.width - 8, y: box.height / 2 } });
      await page.waitForURL(at(`/tickets/${urgent}`));
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);

      await page.goto(at('/tickets/new?other=1'));
      await page.getByTestId('new-ticket-form').waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);
      await context.close();
    }, 60_000);
  }
});

describe('a new ticket', () => {
  it('without JavaScript: a refused form keeps what was typed, then a double submit with a photo files one ticket with one photo', async () => {
    const title = `Dish knocked sideways ${run}`;
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: PHONE });
    const page = await signIn(context, 'bob@skyline.example', '/tickets/new');
    // Known outages come first; "something else" leads on to the form.
    if (await page.getByTestId('report-anyway').count()) {
      await page.getByTestId('report-anyway').click();
      await page.waitForURL(/\/tickets\/new\?other=1$/);
    }
    const key = await page.locator('input[name=clientMutationId]').inputValue();
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    await page.fill('[data-testid=ticket-title]', 'ab');
    await page.selectOption('[data-testid=ticket-category]', 'EQUIPMENT');
    await page.fill('[data-testid=ticket-description]', 'The wind turned the dish; no signal since.');
    await page.getByTestId('submit-ticket').click();
    await page.getByTestId('title-error').waitFor();
    expect(await page.getByTestId('title-error').textContent()).toMatch(/at least 3 characters/);
    expect(await page.getByTestId('ticket-title').getAttribute('aria-describedby')).toBe('title-error');
    expect(await page.getByTestId('ticket-title').inputValue()).toBe('ab');
    expect(await page.getByTestId('ticket-description').inputValue()).toBe('The wind turned the dish; no signal since.');
    expect(await page.getByTestId('ticket-category').inputValue()).toBe('EQUIPMENT');
    expect(await page.locator('input[name=clientMutationId]').inputValue()).toBe(key);
    expect(await bobsTicketsTitled('ab')).toHaveLength(0);
    await page.screenshot({ path: `${screenshots}ticket-new-noscript-refused.png`, fullPage: true });

    await page.fill('[data-testid=ticket-title]', title);
    await page.setInputFiles('[data-testid=ticket-files]', { name: 'dish.png', mimeType: 'image/png', buffer: PNG });
    // Two clicks: the browser sends the form twice.
    await page.getByTestId('submit-ticket').dblclick();
    await page.waitForURL(/\/tickets\/[0-9a-f]{24}$/, { timeout: 20_000 });
    const id = page.url().split('/').pop()!;
    expect(await page.getByTestId('ticket-title').textContent()).toBe(title);
    expect(await page.getByTestId('attachment-link').allTextContents()).toEqual(['dish.png']);
    const filed = await bobsTicketsTitled(title);
    expect(filed.map((t) => t.id)).toEqual([id]);
    expect(filed[0]!.attachments.map((a) => a.filename)).toEqual(['dish.png']);
    await context.close();
  }, 60_000);

  it('sent twice at once with the same rendered form (a retry) is one ticket with one file, and both answers lead to it', async () => {
    const title = `Cable chewed through ${run}`;
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await signIn(context, 'bob@skyline.example', '/tickets/new?other=1');
    const key = await page.locator('input[name=clientMutationId]').inputValue();
    const cookie = await cookieOf(context);
    const post = () => {
      const form = new FormData();
      for (const [k, v] of Object.entries({ title, description: 'Something chewed the outdoor cable.', category: 'EQUIPMENT', clientMutationId: key })) form.set(k, v);
      form.set('files', new File([PNG], 'cable.png', { type: 'image/png' }));
      return plain('/tickets/new', { cookie, form });
    };
    const answers = await Promise.all([post(), post()]);
    expect(answers.map((a) => a.status)).toEqual([303, 303]);
    const [first, second] = answers.map((a) => a.location);
    expect(first).toMatch(/^\/tickets\/[0-9a-f]{24}$/);
    expect(second).toBe(first);
    const again = await post();
    expect(again.location).toBe(first);
    const filed = await bobsTicketsTitled(title);
    expect(filed.map((t) => `/tickets/${t.id}`)).toEqual([first]);
    expect(filed[0]!.attachments.map((a) => a.filename)).toEqual(['cable.png']);
    // Another site's form cannot post it.
    const forgedForm = new FormData();
    for (const [k, v] of Object.entries({ title: `Forged ${run}`, description: 'x', category: 'OTHER', clientMutationId: randomUUID() })) forgedForm.set(k, v);
    const forged = await plain('/tickets/new', { cookie, form: forgedForm, origin: 'https://evil.example' });
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(await bobsTicketsTitled(`Forged ${run}`)).toHaveLength(0);
    await context.close();
  });

  it('with JavaScript: a refused form shows its errors at the fields without a reload, then files and opens the ticket (desktop)', async () => {
    const title = `Router reboots every hour ${run}`;
    const context = await browser.newContext({ viewport: DESKTOP, bypassCSP: true });
    const page = await signIn(context, 'bob@skyline.example', '/tickets/new?other=1');
    await page.getByTestId('new-ticket-form').waitFor();
    await scriptsRunning(page);
    const loaded = documentsLoaded(page);
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 9));
    await page.fill('[data-testid=ticket-title]', title);
    await page.selectOption('[data-testid=ticket-category]', 'INTERMITTENT');
    await page.getByTestId('submit-ticket').click();
    await page.getByTestId('description-error').waitFor();
    expect(await page.getByTestId('ticket-title').inputValue()).toBe(title);
    expect(await page.getByTestId('ticket-category').inputValue()).toBe('INTERMITTENT');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker), `the page was replaced: ${loaded.join(', ')}`).toBe(9);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.screenshot({ path: `${screenshots}ticket-new-refused-desktop.png`, fullPage: true });
    await page.fill('[data-testid=ticket-description]', 'Every hour on the hour the lights go out for a minute.');
    await page.getByTestId('submit-ticket').click();
    await page.waitForURL(/\/tickets\/[0-9a-f]{24}$/, { timeout: 20_000 });
    expect(await page.getByTestId('ticket-title').textContent()).toBe(title);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(9);
    expect(await bobsTicketsTitled(title)).toHaveLength(1);
    await context.close();
  }, 60_000);
});
