/**
 * Customer records and portal access through the gateway, with real emulator logins: staff create
 * and search their own tenant's customers, provisioning gives each new customer a working login
 * and a branded welcome email, and staff revoke, restore and reset access.
 */
import { codes, emulatorIdToken } from '@wisp/shared/testing';
import { describe, expect, it } from 'vitest';
import { customerId } from './demo.ts';
import {
  admin,
  agent,
  api,
  clientSideSignUp,
  confirmPasswordReset,
  CREATE,
  createCustomer,
  CUSTOMER_FIELDS,
  eventually,
  mailTo,
  newCustomer,
  oobCodeOf,
  OUTBOX,
  passwordSignIn,
  unique,
} from './portalAccounts.ts';

const CUSTOMER = `query ($id: ID!) { customer(id: $id) { ${CUSTOMER_FIELDS} } }`;
const SEARCH = `query ($s: String, $first: Int, $after: String) {
  customers(search: $s, first: $first, after: $after) { edges { cursor node { id accountNumber name email } } pageInfo { hasNextPage endCursor } }
}`;
const ACCESS = `portalAccess { status lastLoginAt revokedAt provisioningPending lastError }`;
const accessMutation = (name: string) => `mutation ($id: ID!) { ${name}(customerId: $id) { customerId ok message access { status lastLoginAt revokedAt lastError } } }`;
const VIEWER = `{ viewer { uid role customer { id accountNumber name plan { name } equipment { model } } } }`;

async function accessOf(id: string, token?: string) {
  const r = await api(`query ($id: ID!) { customer(id: $id) { ${ACCESS} } }`, { id }, token ?? (await agent()));
  return r.data?.customer?.portalAccess as { status: string; lastLoginAt: string | null; revokedAt: string | null; provisioningPending: boolean; lastError: string | null };
}

/** Creates a customer with an email and takes them through the welcome email to a working password. */
async function provisionedCustomer(slug = 'skyline') {
  const email = `new-${unique()}@example.com`;
  const customer = await createCustomer(await agent(slug), newCustomer(slug === 'skyline' ? 'SKY' : 'PRA', email));
  const mail = await mailTo(email, 'portal-welcome', slug);
  const { oobCode } = oobCodeOf(mail.text);
  const password = `pw-${unique()}-${unique()}`;
  expect(await confirmPasswordReset(oobCode, password, slug)).toEqual({ ok: true });
  return { customer, email, password, mail };
}

describe('customer records', () => {
  it('lets staff create a customer, and a retry with the same client mutation id creates nothing more', async () => {
    const token = await agent();
    const input = newCustomer('SKY', null);
    const cmid = `create-${unique()}`;
    const [first, again] = [await api(CREATE, { input, cmid }, token), await api(CREATE, { input, cmid }, token)];
    expect(first.data?.createCustomer).toMatchObject({ ok: true, errors: [], customer: { accountNumber: input.accountNumber, portalAccess: { status: 'NONE' } } });
    expect(again.data?.createCustomer.customer.id).toBe(first.data?.createCustomer.customer.id);
    const found = await api(SEARCH, { s: input.accountNumber }, token);
    expect(found.data?.customers.edges).toHaveLength(1);
  });

  it('creates one customer when retries with the same client mutation id race', async () => {
    const token = await agent();
    const input = newCustomer('SKY', `race-${unique()}@example.com`);
    const cmid = `race-${unique()}`;
    const results = await Promise.all(Array.from({ length: 4 }, () => api(CREATE, { input, cmid }, token)));
    const ids = new Set(results.map((r) => r.data?.createCustomer.customer?.id));
    expect(results.every((r) => r.data?.createCustomer.ok)).toBe(true);
    expect(ids.size).toBe(1);
    expect((await api(SEARCH, { s: input.accountNumber }, token)).data?.customers.edges).toHaveLength(1);
    const mail = await mailTo(input.email!, 'portal-welcome');
    expect(mail).toBeTruthy();
    const all = await api(OUTBOX, { to: input.email }, token);
    expect(all.data?.outboxEmails).toHaveLength(1);
  });

  it('reports every bad field at once and writes nothing', async () => {
    const token = await agent();
    const input = { ...newCustomer(), email: 'not-an-email', phone: '12ab', name: '  ', plan: { name: "X", downMbps: -1, upMbps: 5, priceCents: -5 } };
    const r = await api(CREATE, { input }, token);
    expect(r.errors).toBeUndefined();
    expect(r.data?.createCustomer.ok).toBe(false);
    expect(r.data?.createCustomer.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'name', 'phone', 'plan.downMbps', 'plan.priceCents']);
    expect((await api(SEARCH, { s: input.accountNumber }, token)).data?.customers.edges).toEqual([]);
  });

  it('refuses a duplicate account number within a tenant but allows it at another', async () => {
    const r = await api(CREATE, { input: { ...newCustomer(), accountNumber: 'SKY-10001' } }, await agent());
    expect(r.data?.createCustomer).toMatchObject({ ok: false, errors: [{ field: 'accountNumber' }] });
    const elsewhere = newCustomer('PRA', null);
    const prairie = await api(CREATE, { input: { ...elsewhere, accountNumber: `X-${elsewhere.accountNumber}` } }, await agent('prairie'));
    expect(prairie.data?.createCustomer.ok).toBe(true);
    const same = await api(CREATE, { input: { ...newCustomer('SKY', null), accountNumber: `X-${elsewhere.accountNumber}` } }, await agent());
    expect(same.data?.createCustomer.ok).toBe(true);
  });

  it('lets only staff create customers', async () => {
    const input = newCustomer('SKY', null);
    expect(codes(await api(CREATE, { input }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await api(CREATE, { input }, await emulatorIdToken('alice@skyline.example', 'skyline')))).toEqual(['FORBIDDEN']);
    expect(codes(await api(CREATE, { input }, await emulatorIdToken('ops@platform.example')))).toEqual(['FORBIDDEN']);
    expect((await api(SEARCH, { s: input.accountNumber }, await agent())).data?.customers.edges).toEqual([]);
  });

  it('searches by name, email, phone and account number prefix, within the tenant only', async () => {
    const token = await agent();
    const n = unique();
    const made = await createCustomer(token, { ...newCustomer('SKY', `searchme-${n}@example.com`), name: `Zebediah Q${n}` });
    for (const s of [`zebediah q${n}`, `SEARCHME-${n}`, made.accountNumber.toLowerCase(), made.phone.slice(0, 9), made.phone.slice(2)]) {
      const r = await api(SEARCH, { s }, token);
      expect(r.data?.customers.edges.map((e: { node: { id: string } }) => e.node.id), `search "${s}"`).toContain(made.id);
    }
    // Regex characters are text, not patterns.
    const odd = await api(SEARCH, { s: '.*' }, token);
    expect(odd.errors).toBeUndefined();
    expect(odd.data?.customers.edges).toEqual([]);
    // Carol is a customer of both WISPs: each tenant's staff find only their own record.
    const sky = await api(SEARCH, { s: 'carol@shared' }, token);
    const pra = await api(SEARCH, { s: 'carol@shared' }, await agent('prairie'));
    expect(sky.data?.customers.edges.map((e: { node: { accountNumber: string } }) => e.node.accountNumber)).toEqual(['SKY-10003']);
    expect(pra.data?.customers.edges.map((e: { node: { accountNumber: string } }) => e.node.accountNumber)).toEqual(['PRA-20003']);
    expect(codes(await api(SEARCH, { s: 'a' }, await emulatorIdToken('alice@skyline.example', 'skyline')))).toEqual(['FORBIDDEN']);
  });

  it('pages through search results with cursors', async () => {
    const token = await agent();
    const tag = `Pager${unique()}`;
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await createCustomer(token, { ...newCustomer('SKY', null), name: `${tag} ${i}` })).id);
    const p1 = await api(SEARCH, { s: tag, first: 2 }, token);
    expect(p1.data?.customers.edges).toHaveLength(2);
    expect(p1.data?.customers.pageInfo.hasNextPage).toBe(true);
    const p2 = await api(SEARCH, { s: tag, first: 2, after: p1.data?.customers.pageInfo.endCursor }, token);
    const seen = [...p1.data!.customers.edges, ...p2.data!.customers.edges].map((e: { node: { id: string } }) => e.node.id);
    expect(seen.sort()).toEqual(ids.sort());
    expect(p2.data?.customers.pageInfo.hasNextPage).toBe(false);
    expect(codes(await api(SEARCH, { s: tag, after: 'garbage' }, token))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await api(SEARCH, { s: tag, first: 1000 }, token))).toEqual(['BAD_USER_INPUT']);
  });

  it("answers another tenant's customer ids like unknown ones, for reads and for every access action", async () => {
    const prairieAgent = await agent('prairie');
    const skylineAlice = customerId('skyline', 'alice');
    expect(codes(await api(CUSTOMER, { id: skylineAlice }, prairieAgent))).toEqual(['NOT_FOUND']);
    expect(codes(await api(CUSTOMER, { id: '000000000000000000000000' }, prairieAgent))).toEqual(['NOT_FOUND']);
    for (const m of ['provisionPortalAccess', 'revokePortalAccess', 'restorePortalAccess', 'sendPortalPasswordReset']) {
      expect(codes(await api(accessMutation(m), { id: skylineAlice }, prairieAgent)), m).toEqual(['NOT_FOUND']);
    }
    const upd = await api(`mutation ($id: ID!) { updateCustomer(id: $id, input: { name: "Hijacked" }) { ok } }`, { id: skylineAlice }, prairieAgent);
    expect(codes(upd)).toEqual(['NOT_FOUND']);
    // And nothing happened to Alice.
    const alice = await api(CUSTOMER, { id: skylineAlice }, await agent());
    expect(alice.data?.customer).toMatchObject({ name: 'Alice Nguyen', portalAccess: { status: 'ACTIVE' } });
  });

  it('shows a customer only their own record and lets them change only their phone and preferences', async () => {
    const alice = await emulatorIdToken('alice@skyline.example', 'skyline');
    expect(codes(await api(CUSTOMER, { id: customerId('skyline', 'bob') }, alice))).toEqual(['NOT_FOUND']);
    expect(codes(await api(CUSTOMER, { id: customerId('prairie', 'alice') }, alice))).toEqual(['NOT_FOUND']);
    for (const m of ['provisionPortalAccess', 'revokePortalAccess']) {
      expect(codes(await api(accessMutation(m), { id: customerId('skyline', 'bob') }, alice)), m).toEqual(['FORBIDDEN']);
    }
    const UPDATE_MINE = `mutation ($input: MyContactInput!) { updateMyContact(input: $input) { ok errors { field } customer { id phone contactPreferences { email sms } plan { name } } } }`;
    const ok = await api(UPDATE_MINE, { input: { phone: '+1 555 010 1001', contactPreferences: { email: true, sms: true } } }, alice);
    expect(ok.data?.updateMyContact).toMatchObject({ ok: true, customer: { id: customerId('skyline', 'alice'), phone: '+15550101001', contactPreferences: { sms: true } } });
    const bad = await api(UPDATE_MINE, { input: { phone: 'call me maybe' } }, alice);
    expect(bad.data?.updateMyContact).toMatchObject({ ok: false, errors: [{ field: 'phone' }] });
    // The input type has no plan or status: a client cannot even ask.
    const sneaky = await api(`mutation { updateMyContact(input: { plan: { name: "Free", downMbps: 1000, upMbps: 1000, priceCents: 0 } }) { ok } }`, {}, alice);
    expect(codes(sneaky)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(codes(await api(`mutation ($id: ID!) { updateCustomer(id: $id, input: { serviceStatus: CANCELLED }) { ok } }`, { id: customerId('skyline', 'alice') }, alice))).toEqual(['FORBIDDEN']);
    expect(codes(await api(UPDATE_MINE, { input: { phone: '+15550000000' } }, await agent()))).toEqual(['FORBIDDEN']);
  });
});

describe('portal access', () => {
  it('provisions a login for a new customer, emails a branded set-password link that works, and records the first sign-in', async () => {
    const { customer, email, password, mail } = await provisionedCustomer();
    expect(mail.subject).toContain('Skyline Wireless');
    expect(mail.html).toContain('Skyline Wireless');
    expect(`${mail.subject} ${mail.text} ${mail.html}`).not.toMatch(/firebase|google|wisp|platform/i);
    const { url } = oobCodeOf(mail.text);
    expect(url.hostname).toBe('skyline.localhost');
    expect(url.pathname).toBe('/set-password');

    expect(await accessOf(customer.id)).toMatchObject({ status: 'INVITED', provisioningPending: false, lastError: null });
    const signIn = await passwordSignIn(email, password, 'skyline');
    expect(signIn.token).toBeTruthy();
    const viewer = await api(VIEWER, {}, signIn.token);
    expect(viewer.data?.viewer).toMatchObject({ role: 'CUSTOMER', customer: { id: customer.id, plan: { name: 'Valley 100' }, equipment: [{ model: 'Ubiquiti LiteBeam 5AC' }] } });
    // The login exists only at this WISP.
    expect((await passwordSignIn(email, password, 'prairie')).error).toBeTruthy();

    expect((await api(`mutation { recordSignIn }`, {}, signIn.token)).data?.recordSignIn).toBe(true);
    const after = await accessOf(customer.id);
    expect(after.status).toBe('ACTIVE');
    expect(Date.now() - Date.parse(after.lastLoginAt!)).toBeLessThan(60_000);
  });

  it("records a provisioning failure on the customer, keeps the customer, and shows it to staff", async () => {
    // The agent's own email already signs in at Skyline as staff: it cannot become a customer login.
    const customer = await createCustomer(await agent(), newCustomer('SKY', 'agent@skyline.example'));
    const access = await eventually(async () => {
      const a = await accessOf(customer.id);
      return !a.provisioningPending && a.lastError ? a : null;
    });
    expect(access).toMatchObject({ status: 'NONE', lastError: expect.stringContaining('another account') });
    // The staff login was left alone.
    const staff = await passwordSignIn('agent@skyline.example', 'demo-password', 'skyline');
    expect((await api(VIEWER, {}, staff.token)).data?.viewer.role).toBe('AGENT');
    const audit = await api(`query ($id: ID) { portalAccessAudit(customerId: $id) { edges { node { action outcome detail actorUid } } } }`, { id: customer.id }, await admin());
    expect(audit.data?.portalAccessAudit.edges[0].node).toMatchObject({ action: 'PROVISION', outcome: 'FAILURE' });
  });

  it('does not hand a customer to a login someone registered with their email beforehand', async () => {
    const email = `victim-${unique()}@example.com`;
    const squatter = await clientSideSignUp(email, 'attacker-password', 'skyline');
    expect(squatter.token).toBeTruthy();
    const customer = await createCustomer(await agent(), newCustomer('SKY', email));
    const mail = await mailTo(email, 'portal-welcome');
    expect(await accessOf(customer.id)).toMatchObject({ status: 'INVITED' });
    // The squatter's password no longer opens anything; the owner of the mailbox sets their own.
    const attempt = await passwordSignIn(email, 'attacker-password', 'skyline');
    expect(attempt.token).toBeUndefined();
    expect(codes(await api(VIEWER, {}, squatter.token))).toEqual(['UNAUTHENTICATED']);
    expect(await confirmPasswordReset(oobCodeOf(mail.text).oobCode, 'owners-password', 'skyline')).toEqual({ ok: true });
    const owner = await passwordSignIn(email, 'owners-password', 'skyline');
    expect((await api(VIEWER, {}, owner.token)).data?.viewer.customer.id).toBe(customer.id);
  });

  it('revokes access (sign-in refused, a live token refused at once, data kept) and restores it', async () => {
    const { customer, email, password } = await provisionedCustomer();
    const { token } = await passwordSignIn(email, password, 'skyline');
    expect((await api(VIEWER, {}, token)).data?.viewer.customer.id).toBe(customer.id);

    const revoked = await api(accessMutation('revokePortalAccess'), { id: customer.id }, await agent());
    expect(revoked.data?.revokePortalAccess).toMatchObject({ ok: true, access: { status: 'REVOKED', revokedAt: expect.any(String) } });
    expect((await passwordSignIn(email, password, 'skyline')).error).toMatch(/USER_DISABLED/);
    // The token signed in before the revocation reads nothing more from the customer record.
    const stale = await api(VIEWER, {}, token);
    expect(codes(stale)).toContain('UNAUTHENTICATED');
    expect(codes(await api(CUSTOMER, { id: customer.id }, token))).not.toEqual([]);
    // Staff still see the whole record.
    expect((await api(CUSTOMER, { id: customer.id }, await agent())).data?.customer).toMatchObject({ id: customer.id, plan: { name: 'Valley 100' } });
    // Nothing else works on a revoked login.
    expect((await api(accessMutation('sendPortalPasswordReset'), { id: customer.id }, await agent())).data?.sendPortalPasswordReset.ok).toBe(false);

    const restored = await api(accessMutation('restorePortalAccess'), { id: customer.id }, await agent());
    expect(restored.data?.restorePortalAccess).toMatchObject({ ok: true, access: { status: 'INVITED', revokedAt: null } });
    const again = await passwordSignIn(email, password, 'skyline');
    expect((await api(VIEWER, {}, again.token)).data?.viewer.customer.id).toBe(customer.id);
    expect((await api(accessMutation('restorePortalAccess'), { id: customer.id }, await agent())).data?.restorePortalAccess.ok).toBe(false);
  });

  it('sets a one-time temporary password from a safe alphabet that works and is never recorded', async () => {
    const { customer, email } = await provisionedCustomer();
    const r = await api(`mutation ($id: ID!) { setTemporaryPortalPassword(customerId: $id) { ok temporaryPassword } }`, { id: customer.id }, await agent());
    const pw = r.data?.setTemporaryPortalPassword.temporaryPassword as string;
    expect(pw.length).toBeGreaterThanOrEqual(12);
    expect(pw).not.toMatch(/[0O1lI5S2Z8B]/);
    expect((await passwordSignIn(email, pw, 'skyline')).token).toBeTruthy();
    const audit = await api(`query ($id: ID) { portalAccessAudit(customerId: $id) { edges { node { action outcome detail } } } }`, { id: customer.id }, await admin());
    expect(audit.data?.portalAccessAudit.edges[0].node).toMatchObject({ action: 'TEMPORARY_PASSWORD_SET', outcome: 'SUCCESS' });
    expect(JSON.stringify(audit.data)).not.toContain(pw);
    const again = await api(`mutation ($id: ID!) { setTemporaryPortalPassword(customerId: $id) { temporaryPassword } }`, { id: customer.id }, await agent());
    expect(again.data?.setTemporaryPortalPassword.temporaryPassword).not.toBe(pw);
    expect((await passwordSignIn(email, pw, 'skyline')).error).toBeTruthy();
  });

  it('emails a password reset whose link works', async () => {
    const { customer, email } = await provisionedCustomer();
    const r = await api(accessMutation('sendPortalPasswordReset'), { id: customer.id }, await agent());
    expect(r.data?.sendPortalPasswordReset.ok).toBe(true);
    const mail = await mailTo(email, 'password-reset');
    const password = `reset-${unique()}-pw`;
    expect(await confirmPasswordReset(oobCodeOf(mail.text).oobCode, password, 'skyline')).toEqual({ ok: true });
    expect((await passwordSignIn(email, password, 'skyline')).token).toBeTruthy();
  });

  it('provisions a batch with one result per customer', async () => {
    const token = await agent();
    const withEmail = await createCustomer(token, newCustomer('SKY', null));
    await api(`mutation ($id: ID!, $email: String) { updateCustomer(id: $id, input: { email: $email }) { ok } }`, { id: withEmail.id, email: `batch-${unique()}@example.com` }, token);
    const noEmail = await createCustomer(token, newCustomer('SKY', null));
    const ids = [withEmail.id, noEmail.id, customerId('prairie', 'bob'), 'nonsense'];
    const r = await api(`mutation ($ids: [ID!]!) { provisionPortalAccessBatch(customerIds: $ids) { customerId ok message access { status } } }`, { ids }, token);
    expect(r.data?.provisionPortalAccessBatch).toEqual([
      { customerId: withEmail.id, ok: true, message: expect.any(String), access: { status: 'INVITED' } },
      { customerId: noEmail.id, ok: false, message: 'The customer has no email address.', access: { status: 'NONE' } },
      { customerId: customerId('prairie', 'bob'), ok: false, message: 'Customer not found.', access: null },
      { customerId: 'nonsense', ok: false, message: 'Customer not found.', access: null },
    ]);
  });

  it('lets tenant admins, and no one else, read the audit trail of their own tenant', async () => {
    const Q = `{ portalAccessAudit(first: 50) { edges { node { customerId action outcome actorUid actorRole at } } } }`;
    const sky = await api(Q, {}, await admin());
    expect(sky.data?.portalAccessAudit.edges.length).toBeGreaterThan(0);
    const pra = await api(Q, {}, await admin('prairie'));
    const skyIds = new Set(sky.data?.portalAccessAudit.edges.map((e: { node: { customerId: string } }) => e.node.customerId));
    for (const e of pra.data?.portalAccessAudit.edges ?? []) expect(skyIds.has(e.node.customerId)).toBe(false);
    expect(codes(await api(Q, {}, await agent()))).toEqual(['FORBIDDEN']);
    expect(codes(await api(Q, {}, await emulatorIdToken('alice@skyline.example', 'skyline')))).toEqual(['FORBIDDEN']);
  });

  it('shows the outbox to the tenant’s staff only', async () => {
    const email = `outbox-${unique()}@example.com`;
    await createCustomer(await agent(), newCustomer('SKY', email));
    await mailTo(email, 'portal-welcome');
    expect((await api(OUTBOX, { to: email }, await agent('prairie'))).data?.outboxEmails).toEqual([]);
    expect(codes(await api(OUTBOX, { to: email }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await api(OUTBOX, { to: email }, await emulatorIdToken('alice@skyline.example', 'skyline')))).toEqual(['FORBIDDEN']);
  });
});
