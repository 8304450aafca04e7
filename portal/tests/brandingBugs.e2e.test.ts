/** The branding editor keeps what the admin did not touch, warns about hard-to-read colours before saving them, and keeps unsaved edits. */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { documentsLoaded, launchChromium, scriptsRunning } from './browser.ts';
import { freshTenant, graphql, type FreshTenant } from './freshTenant.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    portalPort: number;
  }
}

const port = inject('portalPort');
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));

const BRANDING = `
  companyName displayName logoUrl logoAlt faviconUrl
  colors { primary secondary accent background text }
  supportEmail supportPhone supportHours website welcomeMessage footerText customCss
  faq { question answer } contact version
  timeZone defaultLanguage mailFromName mailFromAddress smsSenderId
`;

type Tenant = FreshTenant;

const stored = async (t: Tenant) =>
  (await graphql<{ tenant: { branding: Record<string, unknown> & { version: number; colors: Record<string, string> } } }>(`query($slug: String!) { tenant(slug: $slug) { branding { ${BRANDING} } } }`, { slug: t.slug }, t.opsToken)).tenant.branding;

const UPDATE = `mutation($id: ID!, $input: BrandingInput!, $ack: Boolean) {
  updateBranding(tenantId: $id, input: $input, acknowledgeContrastWarnings: $ack) {
    ok errors { field code } version contrastWarnings { pair foreground background ratio passesAA }
  }
}`;
type UpdateResult = { ok: boolean; errors: { field: string; code: string }[]; version: number; contrastWarnings: { pair: string; ratio: number }[] };
const update = async (t: Tenant, input: Record<string, unknown>, ack?: boolean) =>
  (await graphql<{ updateBranding: UpdateResult }>(UPDATE, { id: t.id, input, ...(ack === undefined ? {} : { ack }) }, t.opsToken)).updateBranding;

async function openEditor(context: BrowserContext, t: Tenant): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`http://${t.slug}.localhost:${port}/admin/branding`);
  await page.fill('input[name="email"]', t.adminEmail);
  await page.fill('input[name="password"]', 'demo-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForSelector('[data-testid=preview]', { timeout: 15_000 });
  await scriptsRunning(page);
  return page;
}

const VIEWPORTS = [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 390, height: 844 }],
] as const;

let browser: Browser;

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  browser = await launchChromium();
  mkdirSync(screenshots, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
});

describe('saving an untouched branding form', () => {
  it('stores exactly the values shown: no field changes, no new version', async () => {
    const t = await freshTenant();
    const { updateBranding: set } = await graphql<{ updateBranding: { ok: boolean } }>('mutation($id: ID!, $input: BrandingInput!) { updateBranding(tenantId: $id, input: $input) { ok } }', { id: t.id, input: {
      website: 'https://mesa.example',
      supportEmail: 'help@mesa.example',
      supportPhone: '+1 555 0100',
      supportHours: 'Mon–Fri 8–5',
      footerText: 'Mesa Broadband, Canyon Road',
      welcomeMessage: 'Welcome back.',
      contact: 'Call **555 0100**',
      logoAlt: 'Mesa logo',
      logoUrl: 'https://cdn.mesa.example',
      faq: [{ question: 'Is there an outage?', answer: 'See the **status** page.' }],
      timeZone: 'America/Denver',
      defaultLanguage: 'es',
      mailFromName: 'Mesa Support',
      mailFromAddress: 'notices@mesa.example',
      smsSenderId: 'Mesa',
    } }, t.opsToken);
    expect(set.ok).toBe(true);
    const before = await stored(t);
    expect(before.website).toBe('https://mesa.example');

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await openEditor(context, t);
      expect(await page.locator('input[name="website"]').inputValue()).toBe('https://mesa.example');
      const entries = await page.locator('[data-testid=history-entry]').count();
      await page.getByRole('button', { name: 'Save branding' }).click();
      await expect.poll(() => page.locator('[data-testid=save-notice]').textContent(), { timeout: 10_000 }).toContain('Saved');
      expect(await page.locator('input[name="website"]').inputValue()).toBe('https://mesa.example');
      await page.waitForTimeout(500);
      expect(await page.locator('[data-testid=history-entry]').count()).toBe(entries);
    } finally {
      await context.close();
    }
    expect(await stored(t)).toEqual(before);
  });
});

describe('contrast the portal really renders', () => {
  it('warns, live, about a pale primary as link text and about heading text on the secondary end of the header band', async () => {
    const t = await freshTenant();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await openEditor(context, t);
      const warnings = page.locator('[data-testid=contrast-warning]');
      expect(await warnings.count()).toBe(0);
      // Fine behind its (near-black) button label, but a 1.8:1 link on the page.
      await page.fill('input[name="colors.background"]', '#ffffff');
      await page.fill('input[name="colors.primary"]', '#93c5fd');
      await expect.poll(() => warnings.allTextContents()).toEqual([expect.stringMatching(/Links.*1\.80:1/)]);
      await page.screenshot({ path: `${screenshots}admin-branding-link-contrast.png`, fullPage: true });

      // A blue primary reads, but white headings fade where a yellow secondary is mixed into the band.
      await page.fill('input[name="colors.primary"]', '#1d4ed8');
      await expect.poll(() => warnings.count()).toBe(0);
      await page.fill('input[name="colors.secondary"]', '#fde047');
      await expect.poll(() => warnings.allTextContents()).toEqual([expect.stringContaining('Page headings')]);
    } finally {
      await context.close();
    }

    // The API reports the same pairs to an integrator, and a caller that never asked to confirm still saves.
    const r = await update(t, { colors: { primary: '#93c5fd', background: '#ffffff' } });
    expect(r.ok).toBe(true);
    expect(r.contrastWarnings).toEqual([expect.objectContaining({ pair: 'PRIMARY_LINK_ON_BACKGROUND', ratio: 1.8 })]);
    expect((await stored(t)).colors.primary).toBe('#93c5fd');
  });

  it('lets an integrator ask for hard-to-read colours to be held back until confirmed', async () => {
    const t = await freshTenant();
    const held = await update(t, { colors: { primary: '#93c5fd', background: '#ffffff' } }, false);
    expect(held).toMatchObject({ ok: false, errors: [{ field: 'colors', code: 'BAD_USER_INPUT' }] });
    expect(held.contrastWarnings.map((c) => c.pair)).toEqual(['PRIMARY_LINK_ON_BACKGROUND']);
    expect((await stored(t)).colors.primary).not.toBe('#93c5fd');
    const confirmed = await update(t, { colors: { primary: '#93c5fd', background: '#ffffff' } }, true);
    expect(confirmed.ok).toBe(true);
    expect((await stored(t)).colors.primary).toBe('#93c5fd');
    // The confirmed palette is not asked about again when other fields change.
    expect((await update(t, { companyName: 'Mesa Co-op' }, false)).ok).toBe(true);
    expect((await stored(t)).companyName).toBe('Mesa Co-op');
    // Readable colours need no confirmation.
    expect((await update(t, { colors: { primary: '#1d4ed8' } }, false)).ok).toBe(true);
  });
});

describe('saving hard-to-read colours', () => {
  it.each(VIEWPORTS)('%s: shows the failing pairs and saves only after "Save anyway"', async (name, viewport) => {
    const t = await freshTenant();
    const before = await stored(t);
    const context = await browser.newContext({ viewport });
    try {
      const page = await openEditor(context, t);
      const loaded = documentsLoaded(page);
      await page.fill('input[name="colors.background"]', '#ffffff');
      await page.fill('input[name="colors.primary"]', '#93c5fd');
      await page.getByRole('button', { name: 'Save branding' }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Some colours will be hard to read' });
      await confirm.waitFor({ timeout: 20_000 }).catch(async (e: Error) => {
        const shown = await page.locator('input[name="colors.primary"]').inputValue().catch(() => '?');
        throw new Error(`${e.message}\nprimary shown: ${shown}; saved: ${(await stored(t)).colors.primary}; documents: ${loaded.join(', ') || 'none'}`);
      });
      expect(await confirm.locator('[data-testid=contrast-confirm-pair]').allTextContents()).toEqual([expect.stringMatching(/Links.*1\.80:1/)]);
      expect(await confirm.evaluate((el) => el.getBoundingClientRect().right <= window.innerWidth)).toBe(true);
      await confirm.screenshot({ path: `${screenshots}admin-branding-contrast-confirm-${name}.png` });
      // Nothing saved while the admin decides.
      expect(await stored(t)).toEqual(before);

      await confirm.getByRole('button', { name: 'Keep editing' }).click();
      await expect.poll(() => confirm.count()).toBe(0);
      expect(await page.locator('input[name="colors.primary"]').inputValue()).toBe('#93c5fd');
      expect(await stored(t)).toEqual(before);

      await page.getByRole('button', { name: 'Save branding' }).click();
      await confirm.waitFor({ timeout: 10_000 });
      await confirm.getByRole('button', { name: 'Save anyway' }).click();
      await expect.poll(() => page.locator('[data-testid=save-notice]').textContent(), { timeout: 10_000 }).toContain('Saved');
      expect(await confirm.count()).toBe(0);
      expect((await stored(t)).colors).toMatchObject({ primary: '#93c5fd', background: '#ffffff' });
    } finally {
      await context.close();
    }
  });
});

describe('unsaved branding edits', () => {
  it('asks before an in-app link or a reload leaves the editor, and stays with the edits when the admin says no', async () => {
    const t = await freshTenant();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await openEditor(context, t);
      const support = page.locator('header a[href="/support"]');
      await page.fill('input[name="companyName"]', 'Mesa Broadband Co-op');

      const asked: string[] = [];
      page.once('dialog', (dialog) => {
        asked.push(dialog.message());
        void dialog.dismiss();
      });
      await support.click();
      await expect.poll(() => asked.length).toBe(1);
      expect(asked[0]).toContain('unsaved branding changes');
      await page.waitForTimeout(500);
      expect(new URL(page.url()).pathname).toBe('/admin/branding');
      expect(await page.locator('input[name="companyName"]').inputValue()).toBe('Mesa Broadband Co-op');

      // Reloading the tab gets the browser's own question; staying keeps the edit.
      const native: string[] = [];
      page.once('dialog', (dialog) => {
        native.push(dialog.type());
        void dialog.dismiss();
      });
      void page.evaluate(() => location.reload()).catch(() => {});
      await expect.poll(() => native).toEqual(['beforeunload']);
      await page.waitForTimeout(500);
      expect(await page.locator('input[name="companyName"]').inputValue()).toBe('Mesa Broadband Co-op');

      page.once('dialog', (dialog) => {
        asked.push(dialog.message());
        void dialog.accept();
      });
      await support.click();
      await page.waitForURL(/\/support$/, { timeout: 10_000 });
      expect(asked).toHaveLength(2);
      expect((await stored(t)).companyName).toBe('Mesa Broadband');

      // Nothing to lose: leaving asks nothing.
      await page.goto(`http://${t.slug}.localhost:${port}/admin/branding`);
      await page.waitForSelector('[data-testid=preview]', { timeout: 15_000 });
      await scriptsRunning(page);
      let unexpected = 0;
      page.on('dialog', (dialog) => {
        unexpected++;
        void dialog.dismiss();
      });
      await support.click();
      await page.waitForURL(/\/support$/, { timeout: 10_000 });
      expect(unexpected).toBe(0);
    } finally {
      await context.close();
    }
  });
});
