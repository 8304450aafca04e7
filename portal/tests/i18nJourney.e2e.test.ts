/**
 * A customer's whole visit in their own language: signing in on the start page (with scripts and
 * without), the dashboard, the ticket list, filing a ticket (its validation too), the ticket's
 * promised next update, and billing — in Spanish, and once in French. Times are in the WISP's zone.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
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
const ZONE = 'Asia/Tokyo';
const PASSWORD = 'demo-password';
const run = randomUUID().slice(0, 6);
const INVOICE = { number: `INV-${run}`, issuedAt: '2031-03-01T10:00:00Z', dueDate: '2031-03-15', amountCents: 123456, currency: 'EUR', status: 'OVERDUE' };

let browser: Browser;
let wisp: TestTenant;
let customer: { email: string; name: string };

const at = (path = '/') => `http://${wisp.slug}.localhost:${port}${path}`;
const lang = (page: Page) => page.locator('html').getAttribute('lang');
const text = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
/** A browser that asks for one language only, as a Spanish or French visitor's does. */
const visitor = (language: 'es' | 'fr', javaScriptEnabled: boolean): Promise<BrowserContext> =>
  browser.newContext({ locale: language, extraHTTPHeaders: { 'accept-language': language }, javaScriptEnabled, viewport: { width: 1280, height: 900 } });

/** The start page's own form: a wrong password first (its refusal in the reader's words), then the right one. */
async function signInOnStartPage(page: Page, submit: string, wrong: string) {
  await page.goto(at('/'));
  await page.waitForSelector('input[name=password]');
  await page.fill('input[name=email]', customer.email);
  await page.fill('input[name=password]', 'not-the-password');
  await page.getByRole('button', { name: submit }).click();
  await expect.poll(() => page.getByTestId('sign-in-error').textContent(), { timeout: 20_000 }).toBe(wrong);
  await page.fill('input[name=email]', customer.email);
  await page.fill('input[name=password]', PASSWORD);
  await page.getByRole('button', { name: submit }).click();
  await page.getByTestId('customer-name').waitFor({ timeout: 30_000 });
}

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  mkdirSync(screenshots, { recursive: true });
  const ops = await emulatorIdToken('ops@platform.example');
  wisp = await createTestTenant(gateway, ops, 'i18nj');
  const branded = await gql(gateway, `mutation ($input: BrandingInput!) { updateBranding(input: $input) { ok } }`, { input: { timeZone: ZONE } }, { token: await wisp.adminToken() });
  if (!branded.data?.updateBranding.ok) throw new Error(JSON.stringify(branded));

  const record = await createCustomer(await wisp.adminToken(), newCustomer('I18NJ'));
  const auth = firebaseAuth().tenantManager().authForTenant(wisp.authTenantId);
  const login = await eventually(async () => {
    const user = await auth.getUserByEmail(record.email).catch(() => null);
    return user?.customClaims?.customerId === record.id ? user : null;
  }, 30_000);
  await auth.updateUser(login.uid, { password: PASSWORD, emailVerified: true });
  customer = { email: record.email, name: record.name };

  const billed = await gql(gateway, `mutation ($c: BillingCustomerInput!, $input: InvoiceInput!) { upsertInvoice(customer: $c, input: $input) { invoice { id } } }`, { c: { customerId: record.id }, input: INVOICE }, { token: await wisp.adminToken() });
  if (billed.errors) throw new Error(JSON.stringify(billed.errors));
  browser = await launchChromium();
  // The tenant lookup remembers branding for a few seconds; the time zone must be what pages see.
  await new Promise((r) => setTimeout(r, 3_500));
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('a Spanish-speaking customer’s visit', () => {
  it('signs in on the start page with JavaScript, files a ticket and reads billing, all in Spanish', async () => {
    const context = await visitor('es', true);
    try {
      const page = await context.newPage();
      // The browser's own sign-in reports a wrong password in Spanish too.
      await signInOnStartPage(page, 'Iniciar sesión', 'El correo electrónico o la contraseña no son correctos.');
      expect(await lang(page)).toBe('es');
      expect(await text(page, 'h1')).toBe(`Hola, ${customer.name}`);
      expect(await text(page, '#needs-title')).toBe('Lo que necesita su atención');
      expect(await text(page, '#open-title')).toBe('Solicitudes abiertas');
      expect(await text(page, '[data-testid=billing-link] strong')).toBe('Facturación');
      expect(await page.getByRole('button', { name: 'Cerrar sesión' }).count()).toBe(1);
      await page.screenshot({ path: `${screenshots}i18n-journey-dashboard-es.png`, fullPage: true });

      await page.goto(at('/tickets'));
      expect(await lang(page)).toBe('es');
      expect(await text(page, 'h1')).toBe('Mis solicitudes');
      expect(await text(page, '[data-testid=tickets-empty]')).toBe('Todavía no tiene solicitudes.');
      expect(await page.locator('[data-testid=status-filter] option').first().textContent()).toBe('Todas');
      expect(await page.locator('label.filter span').allTextContents()).toEqual(['Estado', 'Categoría', 'Prioridad']);
      expect(await text(page, '[data-testid=callback-form] h2')).toBe('¿Prefiere una llamada?');

      await page.getByTestId('new-ticket-link').click();
      await page.waitForURL(at('/tickets/new'));
      expect(await text(page, 'h1')).toBe('Informar de un problema');
      expect(await text(page, 'label[for=ticket-title]')).toBe('¿Qué ocurre?');
      // Refused by the server's action: the message is the reader's language, not English.
      await page.fill('[data-testid=ticket-title]', 'No');
      await page.fill('[data-testid=ticket-description]', 'Sin conexión desde esta mañana.');
      await page.getByTestId('submit-ticket').click();
      await expect.poll(() => page.getByTestId('title-error').textContent(), { timeout: 15_000 }).toBe('Diga en pocas palabras qué ocurre (al menos 3 caracteres).');
      expect(await text(page, '[data-testid=ticket-error]')).toBe('Revise los campos marcados abajo.');
      await page.screenshot({ path: `${screenshots}i18n-journey-validation-es.png`, fullPage: true });

      await page.fill('[data-testid=ticket-title]', `Internet caído ${run}`);
      await page.getByTestId('submit-ticket').click();
      await page.waitForURL(/\/tickets\/[a-f0-9]{24}$/, { timeout: 20_000 });
      expect(await text(page, '[data-testid=ticket-title]')).toBe(`Internet caído ${run}`);
      expect(await text(page, '[data-testid=status-badge]')).toBe('Abierta');
      // Support owes a first reply: the page says by when, in Spanish and in the WISP's zone.
      const promise = page.getByTestId('next-update-by');
      const words = ((await promise.textContent()) ?? '').trim();
      expect(words).toMatch(/^Le informaremos antes de .+\.$/);
      const due = (await promise.locator('time').getAttribute('datetime'))!;
      expect(Date.parse(due)).toBeGreaterThan(Date.now());
      const tokyo = new Intl.DateTimeFormat('es', { timeZone: ZONE, hour: 'numeric', minute: '2-digit' }).format(new Date(due));
      expect(words).toContain(tokyo);
      await page.screenshot({ path: `${screenshots}i18n-journey-ticket-es.png`, fullPage: true });

      await page.goto(at('/tickets'));
      const row = page.locator('[data-testid=ticket-row]').first();
      expect(await row.getByTestId('ticket-category').textContent()).toBe('Sin servicio');
      expect(await row.getByTestId('ticket-priority').textContent()).toMatch(/^Prioridad /);
      expect(((await row.locator('.when').textContent()) ?? '').trim()).toMatch(/^Actualizada (hace|ahora)/);

      await page.goto(at('/billing'));
      expect(await lang(page)).toBe('es');
      expect(await text(page, 'h1')).toBe('Facturación');
      expect(await text(page, '#invoices-title')).toBe('Facturas');
      const invoice = page.locator('[data-testid=invoice]', { hasText: INVOICE.number });
      expect(await invoice.getByTestId('invoice-status').textContent()).toBe('Vencida');
      expect(await invoice.getByTestId('invoice-amount').textContent()).toBe(new Intl.NumberFormat('es', { style: 'currency', currency: 'EUR' }).format(1234.56));
      expect(await invoice.getByTestId('invoice-date').textContent()).toBe(new Intl.DateTimeFormat('es', { dateStyle: 'medium', timeZone: ZONE }).format(new Date(INVOICE.issuedAt)));
      await page.screenshot({ path: `${screenshots}i18n-journey-billing-es.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('works the same without JavaScript: sign-in, dashboard, validation and the ticket list in Spanish', async () => {
    const context = await visitor('es', false);
    try {
      const page = await context.newPage();
      await signInOnStartPage(page, 'Iniciar sesión', 'El correo electrónico o la contraseña no son correctos.');
      expect(await lang(page)).toBe('es');
      expect(await text(page, 'h1')).toBe(`Hola, ${customer.name}`);
      expect(await text(page, '#open-title')).toBe('Solicitudes abiertas');
      // The ticket filed in the other visit is open, with its next step in Spanish.
      expect(await text(page, '[data-testid=open-ticket]')).toContain('Lo revisaremos en breve');

      await page.goto(at('/tickets/new'));
      await page.fill('[data-testid=ticket-title]', 'Sin conexión');
      await page.getByTestId('submit-ticket').click();
      expect(await text(page, '[data-testid=description-error]')).toBe('Cuéntenos qué ha pasado para que podamos empezar enseguida.');

      await page.goto(at('/tickets'));
      expect(await text(page, 'h1')).toBe('Mis solicitudes');
      expect(await page.locator('[data-testid=ticket-row]').count()).toBe(1);
      const ticketId = (await page.locator('[data-testid=ticket-row]').first().getAttribute('data-ticket-id'))!;
      await page.goto(at(`/tickets/${ticketId}`));
      expect(await text(page, '[data-testid=next-update-by]')).toMatch(/^Le informaremos antes de /);

      // Once support waits on the customer, nothing is owed to them: the promise goes away.
      const moved = await gql(gateway, `mutation ($id: ID!) { changeWorkOrderStatus(id: $id, status: WAITING_ON_CUSTOMER) { status } }`, { id: ticketId }, { token: await wisp.adminToken() });
      expect(moved.errors).toBeUndefined();
      await page.reload();
      expect(await text(page, '[data-testid=status-badge]')).toBe('Esperando su respuesta');
      expect(await page.getByTestId('next-update-by').count()).toBe(0);
      // Moved back, support owes the next update again.
      await gql(gateway, `mutation ($id: ID!) { changeWorkOrderStatus(id: $id, status: IN_PROGRESS) { status } }`, { id: ticketId }, { token: await wisp.adminToken() });
      await page.reload();
      expect(await text(page, '[data-testid=next-update-by]')).toMatch(/^Le informaremos antes de /);
    } finally {
      await context.close();
    }
  });
});

describe('a French-speaking customer’s visit', () => {
  it('reads the dashboard, the ticket list, the ticket and billing in French', async () => {
    const context = await visitor('fr', false);
    try {
      const page = await context.newPage();
      await signInOnStartPage(page, 'Se connecter', 'Adresse e-mail ou mot de passe incorrect.');
      expect(await lang(page)).toBe('fr');
      expect(await text(page, 'h1')).toBe(`Bienvenue, ${customer.name}`);
      expect(await text(page, '#needs-title')).toBe('Ce qui vous attend');

      await page.goto(at('/tickets'));
      expect(await text(page, 'h1')).toBe('Mes demandes');
      const row = page.locator('[data-testid=ticket-row]').first();
      expect(await row.getByTestId('ticket-category').textContent()).toBe('Pas de service');
      await row.getByTestId('ticket-link').click();
      expect(await text(page, '[data-testid=next-update-by]')).toMatch(/^Nous vous donnerons des nouvelles d’ici .+\.$/);

      await page.goto(at('/billing'));
      expect(await text(page, 'h1')).toBe('Facturation');
      const invoice = page.locator('[data-testid=invoice]', { hasText: INVOICE.number });
      expect(await invoice.getByTestId('invoice-status').textContent()).toBe('En retard');
      expect(await invoice.getByTestId('invoice-amount').textContent()).toBe(new Intl.NumberFormat('fr', { style: 'currency', currency: 'EUR' }).format(1234.56));
      await page.screenshot({ path: `${screenshots}i18n-journey-billing-fr.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('keeps English for a browser that asks for English', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await signInOnStartPage(page, 'Sign in', 'Email or password is incorrect.');
      expect(await lang(page)).toBe('en');
      expect(await text(page, 'h1')).toBe(`Welcome, ${customer.name}`);
      await page.goto(at('/tickets'));
      expect(await text(page, 'h1')).toBe('My tickets');
      await page.locator('[data-testid=ticket-link]').first().click();
      await page.getByTestId('ticket-page').waitFor();
      expect(await text(page, '[data-testid=next-update-by]')).toMatch(/^We’ll update you by .+\.$/);
    } finally {
      await context.close();
    }
  });
});
