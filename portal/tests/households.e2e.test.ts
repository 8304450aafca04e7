/**
 * Households and property managers in the browser: a manager linked to two accounts switches
 * between them from any page (with and without scripts) and lists both in the combined view, where a
 * ticket opens with its own account active; a cookie naming someone else's account shows nothing
 * of it; a holder invites a household member by email, who sets a password, sees only that account
 * and no bills, until the holder removes them after a confirmation step (another member leaves by
 * themselves, without scripts); staff link a property manager and remove them.
 */
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { customerId } from '../../tests/demo.ts';
import { agent, confirmPasswordReset, createCustomer, mailTo, newCustomer, oobCodeOf, passwordSignIn, unique } from '../../tests/portalAccounts.ts';
import { launchChromium } from './browser.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const port = inject('portalPort');
const gateway = inject('gatewayUrl');
const screenshots = fileURLToPath(new URL('../../artifacts/screenshots/', import.meta.url));
const at = (path = '/') => `http://skyline.localhost:${port}${path}`;
const PASSWORD = process.env.DEMO_PASSWORD ?? 'demo-password';
const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];
const BOB = customerId('skyline', 'bob');
const DAVE = customerId('skyline', 'dave');
const ALICE = customerId('skyline', 'alice');
const run = randomUUID().slice(0, 6);
const OPEN = `mutation($input: OpenTicketInput!) { openTicket(input: $input) { id number customer { id } } }`;

let browser: Browser;
/** A ticket pat opened on each managed account, so each account has one of its own to show. */
const tickets: Record<'bob' | 'dave', { id: string; title: string }> = { bob: { id: '', title: `Unit 2 drops at night ${run}` }, dave: { id: '', title: `Unit 9 has no link ${run}` } };

beforeAll(async () => {
  if (!port) throw new Error('The portal is not running: build it with `npm run build -w @wisp/portal` before the browser tests.');
  mkdirSync(screenshots, { recursive: true });
  browser = await launchChromium();
  const pat = await emulatorIdToken('pat@skyline.example', 'skyline');
  for (const [key, account] of [['bob', BOB], ['dave', DAVE]] as const) {
    const r = await gql(gateway, OPEN, { input: { title: tickets[key].title, description: 'Reported by the tenant.', category: 'INTERMITTENT', clientMutationId: randomUUID() } }, { token: pat, headers: { 'x-wisp-account': account } });
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect((r.data!.openTicket as { customer: { id: string } }).customer.id).toBe(account);
    tickets[key].id = (r.data!.openTicket as { id: string }).id;
  }
});

afterAll(async () => {
  await browser?.close();
});

/** Signs in with the plain form (works with or without scripts) and waits for the start page. */
async function signIn(context: BrowserContext, email: string, password = PASSWORD): Promise<Page> {
  const page = await context.newPage();
  await page.goto(at('/sign-in'));
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-testid=customer-name]').waitFor({ timeout: 20_000 });
  return page;
}

const text = (page: Page, testId: string) => page.locator(`[data-testid=${testId}]`).first().textContent();
const overflows = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
const bodyText = (page: Page) => page.locator('body').innerText();

/** Chooses an account in the switcher and submits it. */
async function switchTo(page: Page, account: string) {
  await page.getByLabel('Account', { exact: true }).selectOption(account);
  // A plain form post and its redirect: a whole new page, whether scripts run or not.
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: 'Switch', exact: true }).click()]);
}

describe('a property manager', () => {
  for (const viewport of VIEWPORTS) {
    it(`sees both accounts, switches to one, and opens the other's ticket from the combined view (${viewport.width}px)`, async () => {
      const context = await browser.newContext({ viewport });
      try {
        const page = await signIn(context, 'pat@skyline.example');
        // The login holds no account of its own: it starts at its oldest link, Bob's.
        expect(await text(page, 'customer-name')).toBe('Bob Martinez');
        const options = await page.locator('[data-testid=account-select] option').allTextContents();
        expect(options).toEqual(['Bob Martinez · SKY-10002 (current)', 'Dave Porter · SKY-10004']);
        expect(await text(page, 'active-account')).toBe('You are viewing Bob Martinez, account SKY-10002.');

        // The combined view, from the dashboard: each account with its own open tickets.
        await page.getByTestId('accounts-link').click();
        await page.waitForURL(/\/accounts$/);
        await page.getByRole('heading', { name: 'My accounts', level: 1 }).waitFor();
        const cards = page.locator('[data-testid=account-card]');
        expect(await cards.count()).toBe(2);
        const bob = page.locator(`[data-testid=account-card][data-account="${BOB}"]`);
        const dave = page.locator(`[data-testid=account-card][data-account="${DAVE}"]`);
        expect(await bob.getByTestId('account-number').textContent()).toBe('SKY-10002');
        expect(await dave.getByTestId('account-number').textContent()).toBe('SKY-10004');
        expect(await dave.getByTestId('account-address').textContent()).toBe('7 Summit Way, Valley Springs');
        expect(await bob.textContent()).toContain('Property manager');
        expect(await bob.getByTestId('account-current').count()).toBe(1);
        expect(await bob.textContent()).toContain(tickets.bob.title);
        expect(await bob.textContent()).not.toContain(tickets.dave.title);
        expect(await dave.textContent()).toContain(tickets.dave.title);
        expect(await dave.textContent()).not.toContain(tickets.bob.title);
        expect(await dave.getByTestId('open-count').textContent()).toMatch(/^\d+ open tickets?$/);
        expect(await overflows(page)).toBe(false);
        await page.screenshot({ path: `${screenshots}accounts-${viewport.width}.png`, fullPage: true });

        // Switching from the bar on any page: the dashboard and tickets are Dave's from then on.
        await switchTo(page, DAVE);
        expect(new URL(page.url()).pathname).toBe('/accounts');
        expect(await page.locator(`[data-testid=account-card][data-account="${DAVE}"] [data-testid=account-current]`).count()).toBe(1);
        await page.goto(at('/'));
        expect(await text(page, 'customer-name')).toBe('Dave Porter');
        expect(await text(page, 'account-number')).toBe('SKY-10004');
        expect(await text(page, 'active-account')).toBe('You are viewing Dave Porter, account SKY-10004.');
        // A property manager acts on the account's bills too.
        expect(await page.getByTestId('billing-link').count()).toBe(1);
        await page.goto(at('/tickets'));
        await expect.poll(() => bodyText(page)).toContain(tickets.dave.title);
        expect(await bodyText(page)).not.toContain(tickets.bob.title);

        // A ticket of the other account opens with that account active.
        await page.goto(at('/accounts'));
        await Promise.all([page.waitForURL(new RegExp(`/tickets/${tickets.bob.id}$`)), bob.getByRole('button', { name: new RegExp(tickets.bob.title) }).click()]);
        expect(await text(page, 'ticket-title')).toBe(tickets.bob.title);
        expect(await text(page, 'active-account')).toBe('You are viewing Bob Martinez, account SKY-10002.');
        expect(await page.locator('[data-testid=account-select]').inputValue()).toBe(BOB);
        expect(await overflows(page)).toBe(false);
        await page.screenshot({ path: `${screenshots}accounts-ticket-${viewport.width}.png`, fullPage: true });

        // Signing out forgets the choice: the next sign-in starts at the default account again.
        await switchTo(page, DAVE);
        await page.goto(at('/'));
        expect(await text(page, 'customer-name')).toBe('Dave Porter');
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.locator('input[name=password]').waitFor();
        expect((await context.cookies()).some((c) => c.name === 'wisp_account')).toBe(false);
      } finally {
        await context.close();
      }
    });
  }

  it('switches accounts without JavaScript', async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS[1], javaScriptEnabled: false });
    try {
      const page = await signIn(context, 'pat@skyline.example');
      expect(await text(page, 'customer-name')).toBe('Bob Martinez');
      await page.goto(at('/tickets'));
      await switchTo(page, DAVE);
      expect(new URL(page.url()).pathname).toBe('/tickets');
      expect(await bodyText(page)).toContain(tickets.dave.title);
      expect(await bodyText(page)).not.toContain(tickets.bob.title);
      await page.goto(at('/'));
      expect(await text(page, 'customer-name')).toBe('Dave Porter');
      // From a ticket of Dave's, switching back lands on the ticket list, not on a ticket Bob cannot open.
      await page.goto(at(`/tickets/${tickets.dave.id}`));
      expect(await text(page, 'ticket-title')).toBe(tickets.dave.title);
      await switchTo(page, BOB);
      expect(new URL(page.url()).pathname).toBe('/tickets');
      expect(await bodyText(page)).toContain(tickets.bob.title);
      // The combined view's ticket buttons are plain forms too.
      await page.goto(at('/accounts'));
      await Promise.all([page.waitForURL(new RegExp(`/tickets/${tickets.dave.id}$`)), page.getByRole('button', { name: new RegExp(tickets.dave.title) }).click()]);
      expect(await text(page, 'ticket-title')).toBe(tickets.dave.title);
      expect(await text(page, 'active-account')).toContain('Dave Porter');
    } finally {
      await context.close();
    }
  });

  it("shows nothing of another customer's account when the cookie is forged to name it", async () => {
    const context = await browser.newContext({ viewport: VIEWPORTS[0] });
    try {
      const page = await signIn(context, 'pat@skyline.example');
      await context.addCookies([{ name: 'wisp_account', value: ALICE, domain: 'skyline.localhost', path: '/', httpOnly: true, sameSite: 'Lax' }]);
      for (const path of ['/', '/tickets', '/billing', '/service', '/accounts', '/account/household']) {
        await page.goto(at(path));
        const shown = await bodyText(page);
        expect(shown, path).not.toContain('Alice Nguyen');
        expect(shown, path).not.toContain('SKY-10001');
        expect(shown, path).not.toContain('12 Orchard Lane');
      }
      // It falls back to the login's own default and forgets the forged choice.
      await page.goto(at('/'));
      expect(await text(page, 'customer-name')).toBe('Bob Martinez');
      expect((await context.cookies()).find((c) => c.name === 'wisp_account')).toBeUndefined();
      // A file fetched straight through the portal falls back the same way: Bob's invoice, not a refusal.
      await page.goto(at('/billing'));
      const pdf = await page.getByTestId('invoice-pdf').first().getAttribute('href');
      expect(pdf).toMatch(/^\/billing\/files\/[a-f0-9]{24}$/);
      await context.addCookies([{ name: 'wisp_account', value: ALICE, domain: 'skyline.localhost', path: '/', httpOnly: true, sameSite: 'Lax' }]);
      const file = await page.evaluate(async (href) => {
        const res = await fetch(href);
        return { status: res.status, head: new TextDecoder().decode((await res.arrayBuffer()).slice(0, 5)) };
      }, pdf!);
      expect(file).toEqual({ status: 200, head: '%PDF-' });
      expect((await context.cookies()).find((c) => c.name === 'wisp_account')).toBeUndefined();
      // The live stream too: it follows the default account rather than reading as signed out.
      await context.addCookies([{ name: 'wisp_account', value: ALICE, domain: 'skyline.localhost', path: '/', httpOnly: true, sameSite: 'Lax' }]);
      const firstEvent = await page.evaluate(async () => {
        const stop = new AbortController();
        const res = await fetch('/live', { signal: stop.signal });
        const reader = res.body!.getReader();
        let seen = '';
        const until = Date.now() + 15_000;
        while (Date.now() < until) {
          const { value, done } = await reader.read();
          if (done) break;
          seen += new TextDecoder().decode(value);
          const event = /event: (\S+)/.exec(seen);
          if (event) {
            stop.abort();
            return event[1];
          }
        }
        stop.abort();
        return null;
      });
      expect(firstEvent).toBe('ready');
      expect((await context.cookies()).find((c) => c.name === 'wisp_account')).toBeUndefined();
      // The switch route refuses an account the login is not linked to, and says so.
      // A crafted switch form naming an account the login has no link to: refused, and said so.
      await page.getByLabel('Account', { exact: true }).evaluate((select, id) => {
        const option = document.createElement('option');
        option.value = id;
        option.textContent = 'Someone else';
        select.append(option);
        (select as HTMLSelectElement).value = id;
      }, ALICE);
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: 'Switch', exact: true }).click()]);
      expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/accounts?switch=unknown');
      expect(await page.getByRole('alert').first().textContent()).toContain('not linked to your login');
      expect((await context.cookies()).find((c) => c.name === 'wisp_account')).toBeUndefined();
      expect(await bodyText(page)).not.toContain('Alice Nguyen');
    } finally {
      await context.close();
    }
  });
});

describe('a household', () => {
  it('the holder invites a member, who sees only that account and no bills, and then removes them after confirming', async () => {
    // A fresh account holder, made by staff, with a password from the welcome email.
    const holderEmail = `holder-${unique()}@example.com`;
    const customer = await createCustomer(await agent(), newCustomer('SKY', holderEmail));
    const holderPassword = `pw-${unique()}-${unique()}`;
    expect(await confirmPasswordReset(oobCodeOf((await mailTo(holderEmail, 'portal-welcome')).text).oobCode, holderPassword, 'skyline')).toEqual({ ok: true });
    const memberEmail = `member-${unique()}@example.com`;

    const holderContext = await browser.newContext({ viewport: VIEWPORTS[0] });
    const memberContext = await browser.newContext({ viewport: VIEWPORTS[1] });
    try {
      const holder = await signIn(holderContext, holderEmail, holderPassword);
      expect(await text(holder, 'customer-name')).toBe(customer.name);
      // One account: no switcher.
      expect(await holder.getByTestId('account-switcher').count()).toBe(0);
      await holder.getByTestId('household-link').click();
      await holder.waitForURL(/\/account\/household$/);
      await holder.getByRole('heading', { name: 'Household', level: 1 }).waitFor();
      expect(await holder.locator('[data-testid=person]').count()).toBe(1);
      expect(await holder.locator('[data-testid=person][data-role=OWNER]').getAttribute('data-email')).toBe(holderEmail);

      // A typo reads as a field error beside the field; the API's refusal too.
      const invite = holder.getByTestId('invite-form');
      await invite.getByLabel('Email').fill('not an email');
      await invite.getByRole('button', { name: 'Send invitation' }).click();
      await expect.poll(() => text(holder, 'invite-email-error')).toContain('Enter an email address');
      expect(await invite.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
      await invite.getByLabel('Email').fill(holderEmail);
      await invite.getByRole('button', { name: 'Send invitation' }).click();
      await expect.poll(() => text(holder, 'invite-email-error')).toContain('cannot be invited');

      await invite.getByLabel('Email').fill(memberEmail);
      await invite.getByLabel('Name (optional)').fill('Robin Household');
      await invite.getByRole('button', { name: 'Send invitation' }).click();
      await expect.poll(() => text(holder, 'invited-notice')).toBe(`Invitation sent to ${memberEmail}.`);
      const memberRow = holder.locator(`[data-testid=person][data-email="${memberEmail}"]`);
      await expect.poll(() => memberRow.getByTestId('person-role').textContent()).toBe('Household member');
      await holder.screenshot({ path: `${screenshots}household-holder.png`, fullPage: true });

      // The member sets a password from the emailed link and lands on the account's dashboard.
      const mail = await mailTo(memberEmail, 'account-access');
      const link = oobCodeOf(mail.text).url;
      expect(link.origin).toBe(at('').replace(/\/$/, ''));
      const member = await memberContext.newPage();
      await member.goto(link.href);
      await expect.poll(() => member.locator('[data-testid=set-password-email]').textContent(), { timeout: 15_000 }).toBe(memberEmail);
      const memberPassword = `pw-${unique()}-${unique()}`;
      await member.fill('input[name="password"]', memberPassword);
      await member.fill('input[name="confirm"]', memberPassword);
      await member.getByRole('button', { name: /Set password/ }).click();
      await expect.poll(() => text(member, 'customer-name'), { timeout: 20_000 }).toBe(customer.name);
      expect(await member.getByTestId('account-switcher').count()).toBe(0);
      expect(await member.getByTestId('billing-link').count()).toBe(0);
      expect(await member.getByTestId('nav-billing').count()).toBe(0);
      expect(await overflows(member)).toBe(false);
      await member.screenshot({ path: `${screenshots}household-member-dashboard.png`, fullPage: true });

      // Bills, contact details and the household are the holder's: told so, never refused with an error.
      await member.goto(at('/billing'));
      expect(await text(member, 'billing-holder-only')).toContain('Bills are for the account holder');
      await member.goto(at('/service'));
      expect(await text(member, 'contact-holder-only')).toContain('Only the account holder can change');
      expect(await member.locator('input[name=phone]').count()).toBe(0);
      await member.goto(at('/account/household'));
      expect(await text(member, 'my-access')).toBe('Your access: Household member');
      expect(await member.locator('[data-testid=person]').count()).toBe(0);
      expect(await member.getByTestId('leave-link').count()).toBe(1);
      expect(await member.getByTestId('invite-form').count()).toBe(0);
      expect(await overflows(member)).toBe(false);
      await member.screenshot({ path: `${screenshots}household-member.png`, fullPage: true });
      await member.goto(at('/account/settings'));
      await expect.poll(() => text(member, 'notifications-holder-only'), { timeout: 20_000 }).toContain('The account holder chooses');

      // Removing asks first; cancelling keeps them.
      await holder.reload();
      await memberRow.getByRole('link', { name: /Remove/ }).click();
      await holder.getByTestId('remove-confirm').waitFor();
      expect(await text(holder, 'remove-confirm')).toContain('Remove Robin Household from this account?');
      await holder.getByRole('link', { name: 'Cancel' }).click();
      await expect.poll(() => holder.getByTestId('remove-confirm').count()).toBe(0);
      expect(await memberRow.count()).toBe(1);
      await memberRow.getByRole('link', { name: /Remove/ }).click();
      await holder.getByTestId('remove-confirm-button').click();
      await expect.poll(() => text(holder, 'removed-notice')).toContain('no longer have access');
      await expect.poll(() => memberRow.count()).toBe(0);

      // The member's next page is the sign-in form: their only account is gone.
      await member.goto(at('/'));
      await member.locator('input[name=password]').waitFor({ timeout: 15_000 });
      expect(await member.locator('[data-testid=customer-name]').count()).toBe(0);

      // A second member leaves by themselves, after confirming.
      const leaverEmail = `leaver-${unique()}@example.com`;
      const holderToken = (await passwordSignIn(holderEmail, holderPassword, 'skyline')).token!;
      const invited = await gql(gateway, `mutation($input: InviteHouseholdMemberInput!) { inviteHouseholdMember(input: $input) { uid } }`, { input: { email: leaverEmail } }, { token: holderToken });
      expect(invited.errors).toBeUndefined();
      const leaverPassword = `pw-${unique()}-${unique()}`;
      expect(await confirmPasswordReset(oobCodeOf((await mailTo(leaverEmail, 'account-access')).text).oobCode, leaverPassword, 'skyline')).toEqual({ ok: true });
      const leaverContext = await browser.newContext({ viewport: VIEWPORTS[1], javaScriptEnabled: false });
      try {
        const leaver = await signIn(leaverContext, leaverEmail, leaverPassword);
        await leaver.goto(at('/account/household'));
        await leaver.getByTestId('leave-link').click();
        await leaver.getByTestId('leave-confirm').waitFor();
        expect(await text(leaver, 'leave-confirm')).toContain(customer.name);
        await leaver.getByTestId('leave-confirm-button').click();
        await leaver.locator('input[name=password]').waitFor({ timeout: 15_000 });
        expect(await leaver.locator('[data-testid=customer-name]').count()).toBe(0);
      } finally {
        await leaverContext.close();
      }
      await holder.reload();
      expect(await holder.locator(`[data-testid=person][data-email="${leaverEmail}"]`).count()).toBe(0);
    } finally {
      await holderContext.close();
      await memberContext.close();
    }
  });
});

describe('staff', () => {
  it('see who has access to a customer, link a property manager and remove them after confirming', async () => {
    const holderEmail = `staffview-${unique()}@example.com`;
    const customer = await createCustomer(await agent(), newCustomer('SKY', holderEmail));
    const managerEmail = `pm-${unique()}@example.com`;
    const context = await browser.newContext({ viewport: VIEWPORTS[0] });
    try {
      const page = await context.newPage();
      await page.goto(at('/'));
      await page.fill('input[name=email]', 'agent@skyline.example');
      await page.fill('input[name=password]', PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('link', { name: /Customers/ }).waitFor({ timeout: 20_000 });
      await page.goto(at(`/staff/customers/${customer.id}`));
      const panel = page.getByTestId('people-panel');
      await panel.waitFor({ timeout: 20_000 });
      await expect.poll(() => panel.locator('[data-testid=staff-person][data-role=OWNER]').getAttribute('data-email'), { timeout: 20_000 }).toBe(holderEmail);

      // A bad address reads beside the field.
      const form = page.getByTestId('link-manager-form');
      await form.getByLabel('Email').fill('nope');
      await form.getByRole('button', { name: 'Link manager' }).click();
      await expect.poll(() => form.locator('.notice-error').count()).toBe(1);

      await form.getByLabel('Email').fill(managerEmail);
      await form.getByLabel('Name (optional)').fill('Lee Lettings');
      await form.getByRole('button', { name: 'Link manager' }).click();
      await expect.poll(() => text(page, 'people-message')).toContain("is now this account's property manager");
      const row = panel.locator(`[data-testid=staff-person][data-email="${managerEmail}"]`);
      await expect.poll(() => row.getAttribute('data-role')).toBe('MANAGER');
      // The manager was invited by email to set a password.
      expect((await mailTo(managerEmail, 'account-access')).text).toContain('/set-password');
      await page.screenshot({ path: `${screenshots}staff-people.png`, fullPage: true });

      // Removal asks first; keeping access changes nothing.
      await row.getByRole('button', { name: /Remove/ }).click();
      await row.getByTestId('staff-remove-confirm').waitFor();
      await row.getByRole('button', { name: 'Keep access' }).click();
      expect(await row.count()).toBe(1);
      await row.getByRole('button', { name: /Remove/ }).click();
      await row.getByTestId('staff-remove-confirm-button').click();
      await expect.poll(() => row.count()).toBe(0);
      expect(await text(page, 'people-message')).toContain('no longer has access');
    } finally {
      await context.close();
    }
  });
});
