import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './browser.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

// Mirrors the root test setup's declaration, which the portal's own type check does not see.
declare module 'vitest' {
  export interface ProvidedContext {
    portalPort: number;
  }
}

const port = inject('portalPort');
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));
const unique = () => randomBytes(4).toString('hex');
const at = (slug: string, path = '/') => `http://${slug}.localhost:${port}${path}`;

let browser: Browser;

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  mkdirSync(screenshots, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

async function signIn(page: Page, slug: string, email: string, password: string) {
  await page.goto(at(slug));
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function withContext<T>(run: (context: BrowserContext, page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    return await run(context, await context.newPage());
  } finally {
    await context.close();
  }
}

const accessStatus = (page: Page) => page.locator('[data-testid=access-status]').textContent();

describe('portal accounts in the browser', () => {
  it('takes a new customer from creation by an agent to signing in, then through revoke and restore', async () => {
    const staff = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const agent = await staff.newPage();
      await signIn(agent, 'skyline', 'agent@skyline.example', 'demo-password');
      await agent.getByRole('link', { name: /Customers/ }).click();
      await agent.waitForURL(/\/staff\/customers$/);
      // The list shows the tenant's customers, and search narrows it.
      // (Other tests add customers too, so the first page holds some of this tenant's, in id order.)
      await expect.poll(() => agent.locator('[data-testid=customer-table]').textContent(), { timeout: 15_000 }).toMatch(/SKY-/);
      expect(await agent.locator('[data-testid=customer-table]').textContent()).not.toContain('PRA-');
      await agent.fill('input[name="search"]', 'carol');
      await agent.getByRole('button', { name: 'Search' }).click();
      await expect.poll(() => agent.locator('[data-testid=customer-table] tbody tr').count()).toBe(1);
      expect(await agent.locator('[data-testid=customer-table]').textContent()).toContain('SKY-10003');
      expect(await agent.locator('[data-testid=customer-table]').textContent()).not.toContain('PRA-');
      await agent.screenshot({ path: `${screenshots}staff-customers.png`, fullPage: true });
      await agent.getByRole('button', { name: 'New customer' }).click();

      const n = unique();
      const email = `browser-${n}@example.com`;
      const fields: Record<string, string> = {
        accountNumber: `SKY-B${n}`,
        name: `Brook Browser ${n}`,
        email,
        phone: '+1 555 010 7777',
        serviceAddress: '9 Browser Lane',
        site: 'Ridge Tower',
        planName: 'Valley 100',
        down: '100',
        up: '20',
        price: '69',
        model: 'Ubiquiti LiteBeam 5AC',
        serial: `LB5-${n}`,
        mac: '24:5A:4C:11:22:33',
      };
      for (const [name, value] of Object.entries(fields)) await agent.fill(`form input[name="${name}"]`, value);
      await agent.getByRole('button', { name: 'Create customer' }).click();
      await agent.waitForURL(/\/staff\/customers\/[0-9a-f]{24}$/);
      await expect.poll(() => accessStatus(agent), { timeout: 20_000 }).toBe('Invited');
      await agent.screenshot({ path: `${screenshots}staff-customer-invited.png`, fullPage: true });
      const detailUrl = agent.url();

      // The welcome email is in the outbox, with a link to this WISP's own portal.
      await agent.goto(at('skyline', '/staff/outbox'));
      const mail = agent.locator(`[data-testid=outbox-email][data-to="${email}"]`);
      await expect.poll(() => mail.count(), { timeout: 15_000 }).toBe(1);
      expect(await mail.textContent()).toContain('Skyline Wireless');
      const link = await mail.locator('a[href*="/set-password"]').getAttribute('href');
      expect(link).toMatch(new RegExp(`^http://skyline\\.localhost:${port}/set-password\\?oobCode=`));
      await agent.screenshot({ path: `${screenshots}staff-outbox.png`, fullPage: true });

      // The customer follows the link, sets a password, lands signed in and sees their service.
      const password = `pw-${unique()}-${unique()}`;
      await withContext(async (_, customer) => {
        await customer.goto(link!);
        await expect.poll(() => customer.locator('[data-testid=set-password-email]').textContent(), { timeout: 15_000 }).toBe(email);
        await customer.screenshot({ path: `${screenshots}set-password.png`, fullPage: true });
        await customer.fill('input[name="password"]', password);
        await customer.fill('input[name="confirm"]', password);
        await customer.getByRole('button', { name: /Set password/ }).click();
        await expect.poll(() => customer.locator('[data-testid=customer-name]').textContent(), { timeout: 15_000 }).toContain(`Brook Browser ${n}`);
        await customer.getByRole('link', { name: /My service/ }).click();
        await expect.poll(() => customer.locator('[data-testid=plan-name]').textContent(), { timeout: 15_000 }).toBe('Valley 100');
        expect(await customer.locator('[data-testid=equipment-model]').textContent()).toBe('Ubiquiti LiteBeam 5AC');
        await customer.screenshot({ path: `${screenshots}my-service.png`, fullPage: true });
      });

      // The first sign-in shows on the staff side; then the agent revokes access.
      await agent.goto(detailUrl);
      await expect.poll(() => accessStatus(agent), { timeout: 15_000 }).toBe('Active');
      await agent.getByRole('button', { name: 'Revoke' }).click();
      await agent.getByRole('button', { name: 'Yes, revoke access' }).click();
      await expect.poll(() => accessStatus(agent)).toBe('Revoked');
      await agent.screenshot({ path: `${screenshots}staff-customer-revoked.png`, fullPage: true });

      await withContext(async (_, customer) => {
        await signIn(customer, 'skyline', email, password);
        await expect.poll(() => customer.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('disabled');
        expect(await customer.locator('[data-testid=customer-name]').count()).toBe(0);
      });

      await agent.getByRole('button', { name: 'Restore' }).click();
      await expect.poll(() => accessStatus(agent)).toBe('Active');
      await withContext(async (_, customer) => {
        await signIn(customer, 'skyline', email, password);
        await expect.poll(() => customer.locator('[data-testid=customer-name]').textContent(), { timeout: 15_000 }).toContain(`Brook Browser ${n}`);
      });
    } finally {
      await staff.close();
    }
  });

  it('lets an existing customer create their own login, sign out, and get back in with a forgotten-password link', async () => {
    // An agent creates a customer without an email (so no login), as a WISP importing records would.
    const n = unique();
    const accountNumber = `SKY-S${n}`;
    await withContext(async (_, agent) => {
      await signIn(agent, 'skyline', 'agent@skyline.example', 'demo-password');
      await agent.getByRole('link', { name: /Customers/ }).click();
      await agent.getByRole('button', { name: 'New customer' }).click();
      await agent.fill('form input[name="accountNumber"]', accountNumber);
      await agent.fill('form input[name="name"]', `Sam Signup ${n}`);
      await agent.fill('form input[name="phone"]', '+1 555 010 4242');
      await agent.getByRole('button', { name: 'Create customer' }).click();
      await agent.waitForURL(/\/staff\/customers\/[0-9a-f]{24}$/);
      await expect.poll(() => accessStatus(agent), { timeout: 15_000 }).toBe('No login');
    });
    await withContext(async (_, page) => {
      await page.goto(at('skyline'));
      await page.getByRole('link', { name: /Create your login/ }).click();
      await page.waitForURL(/\/sign-up$/);
      await page.fill('input[name="accountNumber"]', accountNumber);
      await page.fill('input[name="phone"]', '(555) 010-4242');
      await page.fill('input[name="email"]', `sam-${n}@example.com`);
      await page.fill('input[name="password"]', 'sams-password');
      await page.screenshot({ path: `${screenshots}sign-up.png`, fullPage: true });
      await page.getByRole('button', { name: 'Create login' }).click();
      await expect.poll(() => page.locator('[data-testid=customer-name]').textContent(), { timeout: 15_000 }).toContain(`Sam Signup ${n}`);
      expect(await page.locator('[data-testid=account-number]').textContent()).toBe(accountNumber);

      // Sam signs out, forgets the password, and gets back in through the emailed link.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('link', { name: 'Forgot password?' }).click();
      // The sign-in form has an email field too: fill only once the reset form has replaced it.
      await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
      await page.getByRole('button', { name: 'Send link' }).waitFor();
      await page.fill('input[name="email"]', `sam-${n}@example.com`);
      await page.getByRole('button', { name: 'Send link' }).click();
      await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toContain('emailed it a link');
    });
    const [link, confirmLink] = await withContext(async (_, agent) => {
      await signIn(agent, 'skyline', 'agent@skyline.example', 'demo-password');
      await agent.getByRole('link', { name: /Outbox/ }).click();
      const mail = agent.locator(`[data-testid=outbox-email][data-to="sam-${n}@example.com"][data-kind="password-reset"]`);
      await expect.poll(() => mail.count(), { timeout: 15_000 }).toBe(1);
      expect(await mail.textContent()).toContain('Reset your Skyline Wireless portal password');
      // The address Sam chose is confirmed from a link of its own before ticket mail goes there.
      const confirm = agent.locator(`[data-testid=outbox-email][data-to="sam-${n}@example.com"][data-kind="email-verification"]`);
      await expect.poll(() => confirm.count(), { timeout: 15_000 }).toBe(1);
      return [await mail.locator('a[href*="/set-password"]').getAttribute('href'), await confirm.locator('a[href*="/verify-email"]').getAttribute('href')];
    });
    // Opening the confirmation link only asks (mail scanners open links); the button confirms, without scripts too.
    const plain = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await plain.newPage();
      await page.goto(confirmLink!);
      await page.getByRole('button', { name: 'Confirm my email' }).click();
      expect(await page.getByTestId('email-verified').textContent()).toContain('your email is confirmed');
      // The link works once.
      await page.goto(confirmLink!);
      await page.getByRole('button', { name: 'Confirm my email' }).click();
      expect(await page.getByRole('alert').textContent()).toContain('not valid any more');
    } finally {
      await plain.close();
    }
    await withContext(async (_, page) => {
      await page.goto(link!);
      await expect.poll(() => page.locator('[data-testid=set-password-email]').textContent(), { timeout: 15_000 }).toBe(`sam-${n}@example.com`);
      await page.fill('input[name="password"]', 'sams-new-password');
      await page.fill('input[name="confirm"]', 'sams-new-password');
      await page.getByRole('button', { name: /Set password/ }).click();
      await expect.poll(() => page.locator('[data-testid=customer-name]').textContent(), { timeout: 15_000 }).toContain(`Sam Signup ${n}`);
      // The link works once.
      await page.goto(link!);
      await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('expired or was already used');
    });
  });

  it('provisions several customers at once from the list, with a result for each', async () => {
    const n = unique();
    await withContext(async (_, agent) => {
      await signIn(agent, 'skyline', 'agent@skyline.example', 'demo-password');
      await agent.getByRole('link', { name: /Customers/ }).click();
      for (const [suffix, email] of [
        ['A', ''],
        ['B', `batch-${n}@example.com`],
      ] as const) {
        await agent.goto(at('skyline', '/staff/customers'));
        await agent.getByRole('button', { name: 'New customer' }).click();
        await agent.fill('form input[name="accountNumber"]', `SKY-BA${n}${suffix}`);
        await agent.fill('form input[name="name"]', `Batch ${n} ${suffix}`);
        if (email) await agent.fill('form input[name="email"]', email);
        await agent.getByRole('button', { name: 'Create customer' }).click();
        await agent.waitForURL(/\/staff\/customers\/[0-9a-f]{24}$/);
      }
      await agent.goto(at('skyline', '/staff/customers'));
      await agent.fill('input[name="search"]', `Batch ${n}`);
      await agent.getByRole('button', { name: 'Search' }).click();
      await expect.poll(() => agent.locator('[data-testid=customer-table] tbody tr').count(), { timeout: 15_000 }).toBe(2);
      await agent.getByRole('checkbox', { name: `Select Batch ${n} A` }).check();
      await agent.getByRole('checkbox', { name: `Select Batch ${n} B` }).check();
      await agent.getByRole('button', { name: 'Provision portal access' }).click();
      const results = agent.locator('[data-testid=batch-results] li');
      await expect.poll(() => results.count(), { timeout: 15_000 }).toBe(2);
      const text = await agent.locator('[data-testid=batch-results]').textContent();
      expect(text).toContain(`Batch ${n} A: The customer has no email address.`);
      expect(text).toMatch(new RegExp(`Batch ${n} B: (Welcome email queued|Already invited)\\.`));
      await agent.screenshot({ path: `${screenshots}staff-batch.png`, fullPage: true });
    });
  });

  it('shows tenant admins the access audit trail', async () => {
    await withContext(async (_, admin) => {
      await signIn(admin, 'skyline', 'admin@skyline.example', 'demo-password');
      await admin.getByRole('link', { name: /Access audit/ }).click();
      await admin.waitForURL(/\/staff\/audit$/);
      await expect.poll(() => admin.locator('[data-testid=audit-table] tbody tr').count(), { timeout: 15_000 }).toBeGreaterThan(1);
      expect(await admin.locator('[data-testid=audit-table]').textContent()).toMatch(/Provisioned|Signed in/);
      await admin.screenshot({ path: `${screenshots}staff-audit.png`, fullPage: true });
    });
  });

  it("shows carol a different record at each WISP's portal", async () => {
    const plans: string[] = [];
    for (const [slug, plan] of [
      ['skyline', 'Valley 250'],
      ['prairie', 'Prairie 150'],
    ] as const) {
      await withContext(async (_, page) => {
        await signIn(page, slug, 'carol@shared.example', 'demo-password');
        await page.getByRole('link', { name: /My service/ }).click();
        await expect.poll(() => page.locator('[data-testid=plan-name]').textContent(), { timeout: 15_000 }).toBe(plan);
        plans.push((await page.locator('[data-testid=equipment-model]').textContent()) ?? '');
        await page.screenshot({ path: `${screenshots}carol-${slug}-service.png`, fullPage: true });
      });
    }
    expect(plans[0]).not.toBe(plans[1]);
  });
});
