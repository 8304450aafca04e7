/**
 * The portal in the reader's language: English, Spanish or French, chosen per request from the
 * visitor's own pick (the footer's picker, a cookie), else their browser's Accept-Language among
 * the languages the WISP offers, else the WISP's default. Times are in the WISP's time zone.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { firebaseAuth } from '@wisp/shared';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCustomer, eventually, newCustomer } from '../../tests/portalAccounts.ts';
import { createTestTenant, type TestTenant } from '../../tests/tenantFixtures.ts';
import { launchChromium } from './browser.ts';

const port = inject('portalPort');
const gateway = inject('gatewayUrl');
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));
const at = (slug: string, path = '/') => `http://${slug}.localhost:${port}${path}`;
const ZONE = 'Asia/Tokyo';

let browser: Browser;
/** Offers every language, times in Tokyo, no default language (English). */
let wisp: TestTenant;
/** Offers English and Spanish only, Spanish by default. */
let noFrench: TestTenant;
let customer: { id: string; email: string; token: string; ticketId: string };

async function brand(t: TestTenant, input: Record<string, unknown>) {
  const r = await gql(gateway, `mutation ($input: BrandingInput!) { updateBranding(input: $input) { ok errors { field message } } }`, { input }, { token: await t.adminToken() });
  if (!r.data?.updateBranding.ok) throw new Error(JSON.stringify(r.errors ?? r.data));
}

/** A request to a tenant's portal by its host name (this machine resolves *.localhost only in the browser). */
function portal(slug: string, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const host = `${slug}.localhost:${port}`;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host, ...options.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
const post = (slug: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
  portal(slug, '/language', { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', origin: `http://${slug}.localhost:${port}`, ...headers } });

const lang = (page: Page) => page.locator('html').getAttribute('lang');
const heading = (page: Page) => page.locator('h1').first().textContent();

async function signIn(context: BrowserContext, email: string, next: string) {
  const page = await context.newPage();
  await page.goto(at(wisp.slug, `/sign-in?next=${encodeURIComponent(next)}`));
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', 'demo-password');
  await page.click('form[action="?/password"] button[type=submit]');
  await page.waitForURL((u) => u.pathname === next);
  return page;
}

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  mkdirSync(screenshots, { recursive: true });
  const ops = await emulatorIdToken('ops@platform.example');
  [wisp, noFrench] = await Promise.all([createTestTenant(gateway, ops, 'i18n'), createTestTenant(gateway, ops, 'i18nnf')]);
  await brand(wisp, { timeZone: ZONE });
  await brand(noFrench, { portalLanguages: ['en', 'es'], defaultLanguage: 'es' });

  const record = await createCustomer(await wisp.adminToken(), newCustomer('I18N'));
  // The record's portal login is made for it (with the customer's claims); give it a known password.
  const auth = firebaseAuth().tenantManager().authForTenant(wisp.authTenantId);
  const login = await eventually(async () => {
    const user = await auth.getUserByEmail(record.email).catch(() => null);
    return user?.customClaims?.customerId === record.id ? user : null;
  }, 30_000);
  await auth.updateUser(login.uid, { password: 'demo-password', emailVerified: true });
  const token = await emulatorIdToken(record.email, wisp.slug);
  const opened = await gql(gateway, `mutation ($input: OpenTicketInput!) { openTicket(input: $input) { id } }`, { input: { title: 'Router keeps rebooting', description: 'Since Monday.', category: 'EQUIPMENT', clientMutationId: randomUUID() } }, { token });
  if (opened.errors) throw new Error(JSON.stringify(opened.errors));
  customer = { id: record.id, email: record.email, token, ticketId: opened.data!.openTicket.id };
  browser = await launchChromium();
  // The tenant lookup remembers branding for a few seconds; the new settings must be what pages see.
  await new Promise((r) => setTimeout(r, 3_500));
});

afterAll(async () => {
  await browser?.close();
});

describe('the page’s language', () => {
  it('follows the browser’s Accept-Language: a Spanish visitor gets the Spanish sign-in page', async () => {
    const context = await browser.newContext({ locale: 'es-ES', javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(at('skyline', '/sign-in'));
    expect(await lang(page)).toBe('es');
    expect(await heading(page)).toBe('Iniciar sesión');
    expect(await page.locator('label', { hasText: 'Contraseña' }).count()).toBe(1);
    expect(await page.getByTestId('skip-link').textContent()).toBe('Ir al contenido');
    expect(await page.locator('header nav').textContent()).toContain('Estado del servicio');
    await page.screenshot({ path: `${screenshots}i18n-sign-in-es.png`, fullPage: true });
    await context.close();
  });

  it('stays English for a browser that asks for English (as the other browser tests’ does)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(at('skyline', '/sign-in'));
    expect(await lang(page)).toBe('en');
    expect(await heading(page)).toBe('Sign in');
    await context.close();
  });

  it('shows a signed-in customer their service and ticket in Spanish, and in French, with times in the WISP’s zone', async () => {
    for (const [locale, code, serviceTitle, conversation] of [
      ['es-MX', 'es', 'Mi servicio', 'Conversación'],
      ['fr-FR', 'fr', 'Mon service', 'Conversation'],
    ] as const) {
      const context = await browser.newContext({ locale, javaScriptEnabled: false });
      const page = await signIn(context, customer.email, '/service');
      expect(await lang(page)).toBe(code);
      expect(await heading(page)).toBe(serviceTitle);
      expect(await page.getByTestId('service-status').textContent()).toBe(code === 'es' ? 'Activo' : 'Actif');

      await page.goto(at(wisp.slug, `/tickets/${customer.ticketId}`));
      expect(await lang(page)).toBe(code);
      expect(await page.locator('#conversation-heading').textContent()).toBe(conversation);
      expect(await page.getByTestId('status-badge').first().textContent()).toBe(code === 'es' ? 'Abierta' : 'Ouverte');
      expect(await page.getByTestId('ticket-opened').textContent()).toMatch(code === 'es' ? /^(hace|ahora)/ : /^(il y a|à l’instant)/);
      // The full moment, in Tokyo (UTC+9, no daylight saving), written the language's way.
      const opened = page.getByTestId('ticket-opened');
      const iso = (await opened.getAttribute('datetime'))!;
      const tokyo = new Intl.DateTimeFormat(code, { timeZone: ZONE, weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
      expect(await opened.getAttribute('title')).toBe(tokyo);
      const utcHour = new Date(iso).getUTCHours();
      expect(tokyo).toMatch(new RegExp(`\\b0?${(utcHour + 9) % 24}:`));
      await page.screenshot({ path: `${screenshots}i18n-ticket-${code}.png`, fullPage: true });
      await context.close();
    }
  });

  it('is switched by the footer’s picker without JavaScript, kept for later pages, and saved as the customer’s language', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await signIn(context, customer.email, '/service');
    expect(await heading(page)).toBe('My service');

    await page.selectOption('[data-testid=language-select]', 'fr');
    await page.click('[data-testid=language-submit]');
    await page.waitForURL((u) => u.pathname === '/service');
    expect(await lang(page)).toBe('fr');
    expect(await heading(page)).toBe('Mon service');
    expect(await page.locator('[data-testid=language-select]').inputValue()).toBe('fr');

    // Kept: another page, and a new visit in the same browser.
    await page.goto(at(wisp.slug, '/status'));
    expect(await heading(page)).toBe('État du service');
    expect(await page.getByTestId('status-summary').textContent()).toContain('Tous les services fonctionnent normalement.');
    const cookie = (await context.cookies()).find((c) => c.name === 'wisp_lang');
    expect(cookie).toMatchObject({ value: 'fr', httpOnly: true, sameSite: 'Lax' });

    // Saved on the account, so email and texts follow too.
    const prefs = await gql(gateway, `{ viewer { customer { notificationPreferences { language } } } }`, {}, { token: await emulatorIdToken(customer.email, wisp.slug) });
    expect(prefs.data!.viewer.customer.notificationPreferences.language).toBe('fr');

    // And back again.
    await page.selectOption('[data-testid=language-select]', 'en');
    await page.click('[data-testid=language-submit]');
    await page.waitForURL((u) => u.pathname === '/status');
    expect(await heading(page)).toBe('Service status');
    await context.close();
  });

  it('goes back only to a page of this portal', async () => {
    const res = await post(wisp.slug, { lang: 'es', next: '//evil.example/phish' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
    expect(String(res.headers['set-cookie'])).toContain('wisp_lang=es');
    // A post from another site is refused before it can set anything.
    const forged = await post(wisp.slug, { lang: 'fr', next: '/' }, { origin: 'http://evil.example' });
    expect(forged.status).toBe(403);
    expect(forged.headers['set-cookie']).toBeUndefined();
  });

  it('is never French at a WISP that does not offer French, whatever the browser or the form asks', async () => {
    const context = await browser.newContext({ locale: 'fr-FR', javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(at(noFrench.slug, '/sign-in'));
    // Its default, Spanish, rather than the French asked for.
    expect(await lang(page)).toBe('es');
    expect(await heading(page)).toBe('Iniciar sesión');
    const options = await page.locator('[data-testid=language-select] option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(['en', 'es']);

    // A hand-made post for French changes nothing.
    const res = await post(noFrench.slug, { lang: 'fr', next: '/sign-in' });
    expect(res.status).toBe(303);
    expect(String(res.headers['set-cookie'] ?? '')).not.toContain('wisp_lang');
    const html = (await portal(noFrench.slug, '/sign-in', { headers: { 'accept-language': 'fr', cookie: 'wisp_lang=fr' } })).body;
    expect(html).toMatch(/<html lang="es"/);
    expect(html).not.toContain('Connexion');
    await context.close();
  });
});

describe('many readers at once', () => {
  it('answers each of many concurrent requests in its own language', async () => {
    const expected = { en: ['Sign in', 'Service status'], es: ['Iniciar sesión', 'Estado del servicio'], fr: ['Connexion', 'État du service'] } as const;
    const codes = ['en', 'es', 'fr'] as const;
    const requests = Array.from({ length: 90 }, (_, i) => {
      const code = codes[i % 3]!;
      const statusPage = i % 2 === 1;
      return { code, statusPage, response: portal(wisp.slug, statusPage ? '/status' : '/sign-in', { headers: { 'accept-language': `${code};q=0.9` } }).then((r) => r.body) };
    });
    const answers = await Promise.all(requests.map(async (r) => ({ ...r, html: await r.response })));
    for (const { code, statusPage, html } of answers) {
      expect(html).toMatch(new RegExp(`<html lang="${code}"`));
      const h1 = /<h1[^>]*>([^<]*)<\/h1>/.exec(html)?.[1];
      expect(h1).toBe(expected[code][statusPage ? 1 : 0]);
      // Nothing of another language's page in it.
      for (const other of codes.filter((c) => c !== code)) expect(html).not.toContain(`>${expected[other][statusPage ? 1 : 0]}</h1>`);
    }
  });
});
