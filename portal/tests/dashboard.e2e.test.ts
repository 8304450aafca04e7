/**
 * The customer's start page, rendered by the server: a plain GET with the session cookie already
 * holds their tickets; signing in works without scripts; what needs them, open tickets, visits,
 * equipment and the outage are each a link; the activity feed survives a reload; changes arrive
 * over the portal's own `/live` stream (no login library or gateway socket in the browser); and
 * axe finds nothing serious at desktop and phone sizes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import type { Browser, Page } from 'playwright-core';
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
const HOST = `skyline.localhost:${port}`;
const at = (path = '/') => `http://${HOST}${path}`;
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser: Browser;
let agent: string;

async function call<T = Record<string, any>>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const r = await gql(gateway, query, variables, { token });
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data as T;
}

/** A Skyline customer of this test alone, on a tower of their own, with three tickets in different states. */
async function customerWithTickets() {
  const n = randomBytes(4).toString('hex');
  const phone = `+1555${String(parseInt(n, 16) % 10_000_000).padStart(7, '0')}`;
  const site = `Dash Tower ${n}`;
  const serial = `DT-${n}`;
  const created = await call(
    `mutation ($input: CreateCustomerInput!) { createCustomer(input: $input) { ok customer { id accountNumber } } }`,
    { input: { accountNumber: `SKY-D${n}`, name: `Dana Dashboard ${n}`, phone, site, serviceStatus: 'ACTIVE', equipment: [{ model: 'Test Dish 5', serial }] } },
    agent,
  );
  const customer = created.createCustomer.customer as { id: string; accountNumber: string };
  const email = `dash-${n}@example.com`;
  const password = 'dashboard-good-password';
  const signUp = await gql(gateway, `mutation ($input: SignUpInput!) { signUpWithAccount(input: $input) { ok } }`, {
    input: { tenantSlug: 'skyline', accountNumber: customer.accountNumber, phone, email, password },
  });
  if (!signUp.data?.signUpWithAccount.ok) throw new Error(JSON.stringify(signUp.errors));
  const token = await emulatorIdToken(email, 'skyline');
  const open = async (title: string) =>
    (await call(`mutation ($input: OpenTicketInput!) { openTicket(input: $input) { id number } }`, { input: { title, description: 'Opened for the dashboard test.', category: 'OTHER', clientMutationId: randomUUID() } }, token)).openTicket as { id: string; number: string };
  const waiting = await open(`Need your router photo ${n}`);
  const replied = await open(`Slow upload ${n}`);
  const visit = await open(`Dish realignment ${n}`);
  await call(`mutation ($id: ID!) { changeWorkOrderStatus(id: $id, status: WAITING_ON_CUSTOMER) { id } }`, { id: waiting.id }, agent);
  await call(`mutation ($input: SendMessageInput!) { sendMessage(input: $input) { id } }`, { input: { workOrderId: replied.id, body: 'We changed your channel; please test again.', clientMutationId: randomUUID() } }, agent);
  const start = new Date(Date.now() + 26 * 3600_000);
  start.setUTCMinutes(0, 0, 0);
  const end = new Date(start.getTime() + 2 * 3600_000);
  await call(`mutation ($id: ID!, $s: String, $e: String) { scheduleVisit(id: $id, windowStart: $s, windowEnd: $e) { id } }`, { id: visit.id, s: start.toISOString(), e: end.toISOString() }, agent);
  const lastSeen = new Date(Date.now() - 2 * 3600_000 - 60_000).toISOString();
  await call(`mutation ($r: [EquipmentReadingInput!]!) { reportEquipmentTelemetry(readings: $r) { ok } }`, { r: [{ customerId: customer.id, serial, online: false, lastSeenAt: lastSeen }] }, agent);
  const outage = (await call(`mutation ($input: CreateOutageInput!) { createOutage(input: $input) { id number } }`, { input: { title: `${site} is down`, description: 'Power failure at the tower.', site, eta: new Date(Date.now() + 3 * 3600_000).toISOString(), clientMutationId: randomUUID() } }, agent)).createOutage as { id: string; number: string };
  return { n, email, password, token, name: `Dana Dashboard ${n}`, waiting, replied, visit, outage, start, end };
}

/** The portal's session cookie for a login, as the browser would get it after signing in. */
async function sessionCookieFor(token: string): Promise<string> {
  const res = await new Promise<{ status: number; cookies: string[] }>((resolve, reject) => {
    const body = JSON.stringify({ idToken: token });
    const req = request({ host: '127.0.0.1', port, path: '/session', method: 'POST', headers: { host: HOST, origin: `http://${HOST}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (r) => {
      r.resume();
      r.on('end', () => resolve({ status: r.statusCode ?? 0, cookies: r.headers['set-cookie'] ?? [] }));
    });
    req.on('error', reject);
    req.end(body);
  });
  expect(res.status).toBe(200);
  const cookie = res.cookies.find((c) => c.startsWith('wisp_session='));
  if (!cookie) throw new Error('no session cookie');
  return cookie.split(';')[0]!;
}

function get(path: string, cookie?: string): Promise<{ status: number; body: string; type: string; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host: HOST, ...(cookie ? { cookie } : {}) } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? ''), location: res.headers.location }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function seriousViolations(page: Page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `[${v.impact}] ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
}

async function signInWithForm(page: Page, email: string, password: string) {
  await page.goto(at('/'));
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

let me: Awaited<ReturnType<typeof customerWithTickets>>;

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  mkdirSync(screenshots, { recursive: true });
  browser = await launchChromium();
  agent = await emulatorIdToken('agent@skyline.example', 'skyline');
  me = await customerWithTickets();
});

afterAll(async () => {
  await browser?.close();
});

describe('the customer start page', () => {
  it('is in the first response of a plain GET with the session cookie; without one it sends to the sign-in form, which loads no SvelteKit client', async () => {
    const cookie = await sessionCookieFor(me.token);
    const page = await get('/', cookie);
    expect(page.status).toBe(200);
    expect(page.body).toContain(me.name);
    for (const t of [me.waiting, me.replied, me.visit]) {
      expect(page.body).toContain(t.number);
      expect(page.body).toContain(`href="/tickets/${t.id}"`);
    }
    // No loading placeholder in what is shown (the page's messages travel in its data script).
    expect(page.body.replace(/<script[\s\S]*?<\/script>/g, '')).not.toContain('Loading…');
    // Another customer's tickets are not on it.
    expect(page.body).not.toContain('Router keeps rebooting');

    const signedOut = await get('/');
    expect(signedOut.status).toBe(303);
    expect(signedOut.location).toBe('/sign-in');
    const form = await get('/sign-in');
    expect(form.status).toBe(200);
    expect(form.body).toMatch(/<form[^>]*method="POST"[^>]*action="\?\/password"/);
    expect(form.body.replace(/<script[\s\S]*?<\/script>/g, '')).not.toContain('Loading…');
    // Only the page's own small script: no SvelteKit entry, no page or layout module to hydrate.
    expect(form.body).toMatch(/<script type="module" src="\/_app\/sign-in\.js\?v=[^"]+"><\/script>/);
    expect(form.body).not.toMatch(/_app\/immutable\/(entry|nodes)\//);
    // A forged cookie is not a session: the form again, never someone's dashboard.
    const forged = await get('/', 'wisp_session=not-a-session');
    expect(forged.status).toBe(303);
    expect(forged.location).toBe('/sign-in');
    const forgedForm = await get('/sign-in', 'wisp_session=not-a-session');
    expect(forgedForm.body).toMatch(/action="\?\/password"/);
    expect(forgedForm.body).not.toContain(me.name);
  });

  it('signs in without JavaScript from the start page and shows what needs the customer, each as a link', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(at('/'));
      await page.fill('input[name=email]', me.email);
      await page.fill('input[name=password]', 'wrong-password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      expect(await page.getByTestId('sign-in-error').textContent()).toBe('Email or password is incorrect.');
      await signInWithForm(page, me.email, me.password);
      await page.waitForURL(at('/'));
      expect(await page.getByTestId('customer-name').textContent()).toBe(me.name);

      const waiting = page.locator(`[data-testid=waiting-on-you][data-number="${me.waiting.number}"]`);
      expect(await waiting.textContent()).toContain('waiting for your reply');
      expect(await waiting.locator('a').getAttribute('href')).toBe(`/tickets/${me.waiting.id}`);

      const unread = page.locator(`[data-testid=unread-reply][data-number="${me.replied.number}"]`);
      expect(await unread.textContent()).toContain('1 new message');
      expect(await unread.locator('a').getAttribute('href')).toBe(`/tickets/${me.replied.id}`);

      const open = page.locator('[data-testid=open-ticket]');
      expect(await open.count()).toBe(3);
      expect(await page.locator(`[data-testid=open-ticket][data-number="${me.waiting.number}"]`).textContent()).toMatch(/Waiting on customer.*Reply so we can carry on/s);

      // The visit window in the provider's time zone (Skyline: America/Denver), whatever the server's own.
      const endInDenver = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', timeZone: 'America/Denver' }).format(me.end);
      const startInDenver = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', timeZone: 'America/Denver' }).format(me.start);
      const visit = page.locator(`[data-testid=visit][data-number="${me.visit.number}"]`);
      const visitText = (await visit.textContent())!;
      expect(visitText).toContain(startInDenver);
      expect(visitText).toContain(endInDenver);
      expect(visitText).toMatch(/in (1 day|2\d hours)|tomorrow/);
      expect(await visit.locator('a').getAttribute('href')).toBe(`/tickets/${me.visit.id}`);

      const device = page.locator('[data-testid=equipment-item]');
      expect(await device.getAttribute('data-online')).toBe('false');
      expect(await device.textContent()).toMatch(/Offline.*last seen 2 hours ago/s);
      expect(await device.locator('a').getAttribute('href')).toBe('/service');

      const outage = page.getByTestId('dashboard-outage');
      expect(await outage.textContent()).toContain(`Dash Tower ${me.n} is down`);
      expect(await page.getByTestId('dashboard-status-link').getAttribute('href')).toBe('/status');
      expect(await outage.locator(`a[href="/tickets/${me.outage.id}"]`).count()).toBe(1);

      // Every item on the page is a link to where it is handled.
      const items = page.locator('main li');
      for (let i = 0; i < (await items.count()); i++) expect(await items.nth(i).locator('a').count(), `item ${i}`).toBeGreaterThan(0);

      // The activity feed comes from the server: the same after a reload.
      const feed = async () => (await page.locator('[data-testid=activity-item]').allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());
      const before = await feed();
      expect(before.some((s) => s.includes(me.waiting.number) && /Now waiting on customer/.test(s))).toBe(true);
      expect(before.some((s) => s.includes(me.replied.number) && /Reply from/.test(s))).toBe(true);
      await page.reload();
      expect(await feed()).toEqual(before);
      for (const link of await page.locator('[data-testid=activity-item] a').all()) expect(await link.getAttribute('href')).toMatch(/^\/tickets\/[0-9a-f]{24}$/);
      await page.screenshot({ path: `${screenshots}dashboard-no-script.png`, fullPage: true });

      // Signing out is a plain post too.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForSelector('input[name=password]');
    } finally {
      await context.close();
    }
  });

  it('gets live updates over the portal’s own stream, without the login library or a gateway socket in the browser', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const sockets: string[] = [];
      const scripts: Promise<string>[] = [];
      const streams: string[] = [];
      page.on('websocket', (ws) => sockets.push(ws.url()));
      page.on('request', (r) => {
        if (new URL(r.url()).pathname === '/live') streams.push(r.url());
      });
      page.on('response', (r) => {
        if (r.request().resourceType() === 'script') scripts.push(r.text().catch(() => ''));
      });
      const loadedScripts = () => Promise.all(scripts);

      await page.goto(at('/'));
      await page.waitForSelector('input[name=password]');
      // The signed-out landing carries neither the login library nor the GraphQL client.
      for (const source of await loadedScripts()) {
        expect(source).not.toContain('identitytoolkit.googleapis.com');
        expect(source).not.toContain('go.apollo.dev');
      }
      await page.fill('input[name=email]', me.email);
      await page.fill('input[name=password]', me.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByTestId('customer-name').textContent(), { timeout: 20_000 }).toBe(me.name);
      await expect.poll(() => page.getByTestId('live-status').getAttribute('data-status'), { timeout: 20_000 }).toBe('live');

      // A reload of the dashboard loads no login library at all.
      scripts.length = 0;
      await page.reload();
      await expect.poll(() => page.getByTestId('live-status').getAttribute('data-status'), { timeout: 20_000 }).toBe('live');
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
      for (const source of await loadedScripts()) expect(source).not.toContain('identitytoolkit.googleapis.com');

      await call(`mutation ($id: ID!) { changeWorkOrderStatus(id: $id, status: IN_PROGRESS) { id } }`, { id: me.waiting.id }, agent);
      // The change, and messaging's system line about it (a message of its own, in either order).
      const item = page.locator(`[data-testid=live-update][data-number="${me.waiting.number}"]`).filter({ hasText: /Status changed/ });
      await expect.poll(() => item.count(), { timeout: 10_000 }).toBeGreaterThan(0);
      expect(await item.first().textContent()).toMatch(/Status changed.*In progress/s);
      expect(await item.first().locator('a').getAttribute('href')).toBe(`/tickets/${me.waiting.id}`);
      // The page's data followed: the ticket no longer waits on the customer.
      await expect.poll(() => page.locator(`[data-testid=waiting-on-you][data-number="${me.waiting.number}"]`).count(), { timeout: 10_000 }).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(7);

      expect(streams.length).toBeGreaterThan(0);
      expect(sockets).toEqual([]);
      await page.screenshot({ path: `${screenshots}dashboard-live.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('streams only to a signed-in visitor and resumes after the last change it sent', async () => {
    expect((await get('/live')).status).toBe(401);
    const cookie = await sessionCookieFor(me.token);
    expect((await get('/live?ticket=not-an-id', cookie)).status).toBe(400);
    /** An open `/live` stream: everything it sent so far. */
    const open = (headers: Record<string, string> = {}) => {
      const got = { text: '', type: '' };
      const req = request({ host: '127.0.0.1', port, path: '/live', headers: { host: HOST, cookie, accept: 'text/event-stream', ...headers } }, (res) => {
        got.type = String(res.headers['content-type'] ?? '');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (got.text += chunk));
      });
      req.on('error', () => undefined);
      req.end();
      return Object.assign(got, { close: () => req.destroy() });
    };
    const changesIn = (text: string) => [...text.matchAll(/event: change\nid: (\d+)\ndata: (.*)\n/g)].map((m) => ({ id: m[1]!, data: JSON.parse(m[2]!) as { workOrder: { number: string } | null } }));
    const live = open();
    try {
      await expect.poll(() => live.text, { timeout: 10_000 }).toContain('event: ready');
      expect(live.type).toContain('text/event-stream');
      expect(live.text).toContain('retry:');
      await call(`mutation ($id: ID!) { changeWorkOrderStatus(id: $id, status: IN_PROGRESS) { id } }`, { id: me.replied.id }, agent);
      await expect.poll(() => changesIn(live.text).filter((c) => c.data.workOrder?.number === me.replied.number).length, { timeout: 10_000 }).toBeGreaterThan(0);
      // Nothing of another customer's tickets.
      expect(changesIn(live.text).every((c) => !c.data.workOrder || [me.waiting, me.replied, me.visit, me.outage].some((t) => t.number === c.data.workOrder!.number))).toBe(true);
    } finally {
      live.close();
    }
    const mine = changesIn(live.text).find((c) => c.data.workOrder?.number === me.replied.number)!;

    // A reconnect naming an earlier id gets that change again; one naming its own id does not.
    const earlier = open({ 'last-event-id': String(BigInt(mine.id) - 1n) });
    const since = open({ 'last-event-id': mine.id });
    try {
      await expect.poll(() => changesIn(earlier.text).some((c) => c.id === mine.id), { timeout: 10_000 }).toBe(true);
      await expect.poll(() => since.text, { timeout: 10_000 }).toContain('event: ready');
      expect(changesIn(since.text).some((c) => c.id === mine.id)).toBe(false);
    } finally {
      earlier.close();
      since.close();
    }
  });

  it('has no serious accessibility problems signed out and signed in, at desktop and phone sizes', async () => {
    for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
      const context = await browser.newContext({ viewport });
      try {
        const page = await context.newPage();
        await page.goto(at('/'));
        await page.waitForSelector('input[name=password]');
        expect(await seriousViolations(page), `sign-in at ${viewport.width}px`).toEqual([]);
        await page.fill('input[name=email]', me.email);
        await page.fill('input[name=password]', me.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expect.poll(() => page.getByTestId('customer-name').textContent(), { timeout: 20_000 }).toBe(me.name);
        await expect.poll(() => page.getByTestId('live-status').getAttribute('data-status'), { timeout: 20_000 }).toBe('live');
        expect(await seriousViolations(page), `dashboard at ${viewport.width}px`).toEqual([]);
        await page.screenshot({ path: `${screenshots}dashboard-${viewport.width}.png`, fullPage: true });
      } finally {
        await context.close();
      }
    }
  });
});
