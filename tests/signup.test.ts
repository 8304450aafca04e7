/**
 * Self-signup: an existing customer creates their own login by proving who they are. Attacks:
 * wrong guesses, brute force (per account and per client, with spoofed forwarding headers),
 * claim-setting, reuse of codes and logins, and another tenant's records.
 */
import { connectMongo } from '@wisp/shared';
import { vouchForClientAddress } from '@wisp/shared/clientAddress';
import { codes, emulatorIdToken } from '@wisp/shared/testing';
import { describe, expect, inject, it } from 'vitest';
import { customerId } from './demo.ts';
import { agent, api, apiFrom, clientSideSignUp, confirmPasswordReset, createCustomer, mailTo, newCustomer, oobCodeOf, OUTBOX, passwordSignIn, unique } from './portalAccounts.ts';

const SIGN_UP = `mutation ($input: SignUpInput!) { signUpWithAccount(input: $input) { ok email } }`;
const VIEWER = `{ viewer { uid role customer { id accountNumber name } } }`;
const INVITE = `mutation ($id: ID!) { createPortalInvite(customerId: $id) { ok message code expiresAt } }`;

let octet = 10;
/** A loopback source address of its own, so each test has its own per-client budget. */
const freshClient = () => `127.0.${Math.floor(Math.random() * 200) + 20}.${octet++}`;

/** A customer with no login yet (created without an email). */
async function customerWithoutLogin(slug = 'skyline') {
  return createCustomer(await agent(slug), newCustomer(slug === 'skyline' ? 'SKY' : 'PRA', null));
}

describe('self-signup', () => {
  it('links a new login to exactly the customer whose account number and phone were given', async () => {
    const customer = await customerWithoutLogin();
    const email = `self-${unique()}@example.com`;
    const client = freshClient();
    const wrong = await apiFrom(client, SIGN_UP, { input: { tenantSlug: 'skyline', accountNumber: customer.accountNumber, phone: '+15550000000', email, password: 'a-good-password' } });
    expect(codes(wrong)).toEqual(['BAD_USER_INPUT']);
    expect((await passwordSignIn(email, 'a-good-password', 'skyline')).error).toBeTruthy();

    // Formatting of the phone does not matter; the account number is case-insensitive.
    const phone = customer.phone.replace(/^\+1(\d{3})(\d{3})(\d{4})$/, '($1) $2-$3');
    const ok = await apiFrom(client, SIGN_UP, { input: { tenantSlug: 'skyline', accountNumber: customer.accountNumber.toLowerCase(), phone, email: email.toUpperCase(), password: 'a-good-password' } });
    expect(ok.data?.signUpWithAccount).toEqual({ ok: true, email });
    const signIn = await passwordSignIn(email, 'a-good-password', 'skyline');
    const viewer = await api(VIEWER, {}, signIn.token);
    expect(viewer.data?.viewer).toMatchObject({ role: 'CUSTOMER', customer: { id: customer.id } });
    const staffView = await api(`query ($id: ID!) { customer(id: $id) { portalAccess { status email } } }`, { id: customer.id }, await agent());
    expect(staffView.data?.customer.portalAccess).toEqual({ status: 'INVITED', email });

    // A second login for the same record is refused, and creates no Firebase user.
    const other = `other-${unique()}@example.com`;
    const again = await apiFrom(client, SIGN_UP, { input: { tenantSlug: 'skyline', accountNumber: customer.accountNumber, phone: customer.phone, email: other, password: 'a-good-password' } });
    expect(codes(again)).toEqual(['CONFLICT']);
    expect((await passwordSignIn(other, 'a-good-password', 'skyline')).error).toMatch(/EMAIL_NOT_FOUND|INVALID/);
    const audit = await api(`query ($id: ID) { portalAccessAudit(customerId: $id) { edges { node { action outcome actorUid } } } }`, { id: customer.id }, await emulatorIdToken('admin@skyline.example', 'skyline'));
    expect(audit.data?.portalAccessAudit.edges.map((e: { node: { action: string } }) => e.node.action)).toContain('SELF_SIGNUP');
  });

  it('rejects bad input with coded errors and creates nothing', async () => {
    const customer = await customerWithoutLogin();
    const client = freshClient();
    const base = { tenantSlug: 'skyline', accountNumber: customer.accountNumber, phone: customer.phone, password: 'a-good-password' };
    const email = `bad-${unique()}@example.com`;
    for (const [input, field] of [
      [{ ...base, email: 'not-an-email' }, 'email'],
      [{ ...base, email, password: 'short' }, 'password'],
      [{ tenantSlug: 'skyline', email, password: 'a-good-password' }, 'proof'],
      [{ ...base, email, tenantSlug: 'no-such-wisp' }, 'proof'],
    ] as const) {
      const r = await apiFrom(client, SIGN_UP, { input });
      expect(codes(r), JSON.stringify(input)).toEqual(['BAD_USER_INPUT']);
      expect(r.errors?.[0]?.extensions?.field).toBe(field);
    }
    expect((await passwordSignIn(email, 'a-good-password', 'skyline')).error).toBeTruthy();
    // A record of another WISP cannot be claimed through this one.
    const prairieBob = { tenantSlug: 'skyline', accountNumber: 'PRA-20002', phone: '+15550202002', email, password: 'a-good-password' };
    expect(codes(await apiFrom(client, SIGN_UP, { input: prairieBob }))).toEqual(['BAD_USER_INPUT']);
    // A signed-in caller cannot use it.
    const alice = await emulatorIdToken('alice@skyline.example', 'skyline');
    expect(codes(await api(SIGN_UP, { input: { ...base, email } }, alice))).toEqual(['FORBIDDEN']);
    // Nor can anyone pass claims: the input has no such fields.
    const withRole = await api(`mutation { signUpWithAccount(input: { tenantSlug: "skyline", inviteCode: "x", email: "a@b.example", password: "a-good-password", role: "TENANT_ADMIN" }) { ok } }`);
    expect(codes(withRole)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('stops guessing after 5 attempts per account, even with the right answer, and creates nothing', async () => {
    const customer = await customerWithoutLogin();
    const email = `guess-${unique()}@example.com`;
    const attempt = (phone: string) =>
      apiFrom(freshClient(), SIGN_UP, { input: { tenantSlug: 'skyline', accountNumber: customer.accountNumber, phone, email, password: 'a-good-password' } });
    for (let i = 0; i < 5; i++) expect(codes(await attempt(`+1555000${String(i).padStart(4, '0')}`))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await attempt('+15550009999'))).toEqual(['RATE_LIMITED']);
    expect(codes(await attempt(customer.phone))).toEqual(['RATE_LIMITED']);
    expect((await passwordSignIn(email, 'a-good-password', 'skyline')).error).toBeTruthy();
    const access = await api(`query ($id: ID!) { customer(id: $id) { portalAccess { status } } }`, { id: customer.id }, await agent());
    expect(access.data?.customer.portalAccess.status).toBe('NONE');
  });

  it('limits one client across accounts, and forged X-Forwarded-For headers do not reset it', async () => {
    const client = freshClient();
    const email = `spray-${unique()}@example.com`;
    let limited = 0;
    for (let i = 0; i < 22; i++) {
      const r = await apiFrom(
        client,
        SIGN_UP,
        { input: { tenantSlug: 'skyline', accountNumber: `SKY-NOPE${i}`, phone: '+15550000000', email, password: 'a-good-password' } },
        { 'x-forwarded-for': `203.0.113.${i}` },
      );
      if (codes(r)[0] === 'RATE_LIMITED') limited++;
      else expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    }
    expect(limited).toBe(2);
    // Another client is not affected.
    const other = await customerWithoutLogin();
    const ok = await apiFrom(freshClient(), SIGN_UP, { input: { tenantSlug: 'skyline', accountNumber: other.accountNumber, phone: other.phone, email: `fine-${unique()}@example.com`, password: 'a-good-password' } });
    expect(ok.data?.signUpWithAccount.ok).toBe(true);
  });

  it("counts each visitor the portal's server vouches for by their own address, and ignores a vouching it did not sign", async () => {
    // The portal's server calls from one address for every visitor; it names each visitor's in a signed header.
    const portal = freshClient();
    const secret = inject('clientAddressSecret');
    const visitor = `198.51.100.${Math.floor(Math.random() * 200) + 20}`;
    const attempt = (headers: Record<string, string>, i: number) =>
      apiFrom(portal, SIGN_UP, { input: { tenantSlug: 'skyline', accountNumber: `SKY-VOUCH${i}`, phone: '+15550000000', email: `vouch-${unique()}@example.com`, password: 'a-good-password' } }, headers);
    const results: string[] = [];
    for (let i = 0; i < 22; i++) results.push(String(codes(await attempt(vouchForClientAddress(secret, visitor), i))[0]));
    // That visitor's own limit was reached…
    expect(results.filter((c) => c === 'RATE_LIMITED')).toHaveLength(2);
    // …while the portal's address, and another visitor behind it, are untouched.
    expect(codes(await attempt({}, 100))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await attempt(vouchForClientAddress(secret, '198.51.100.250'), 101))).toEqual(['BAD_USER_INPUT']);
    // A vouching signed with another secret, or replayed long after, counts as the caller's own address.
    const forged = vouchForClientAddress('not-the-gateways-secret-but-long-enough-0123456789', visitor);
    const stale = vouchForClientAddress(secret, visitor, Date.now() - 5 * 60_000);
    expect(codes(await attempt(forged, 102))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await attempt(stale, 103))).toEqual(['BAD_USER_INPUT']);
  });

  it('accepts an invite code once, and refuses expired ones', async () => {
    const customer = await customerWithoutLogin();
    const invite = await api(INVITE, { id: customer.id }, await agent());
    expect(invite.data?.createPortalInvite).toMatchObject({ ok: true, code: expect.stringMatching(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/) });
    const code = invite.data?.createPortalInvite.code as string;
    // Another tenant's staff cannot make one for this customer.
    expect(codes(await api(INVITE, { id: customer.id }, await agent('prairie')))).toEqual(['NOT_FOUND']);
    // The code does not work at another WISP.
    const email = `invited-${unique()}@example.com`;
    expect(codes(await apiFrom(freshClient(), SIGN_UP, { input: { tenantSlug: 'prairie', inviteCode: code, email, password: 'a-good-password' } }))).toEqual(['BAD_USER_INPUT']);
    const ok = await apiFrom(freshClient(), SIGN_UP, { input: { tenantSlug: 'skyline', inviteCode: code.toLowerCase(), email, password: 'a-good-password' } });
    expect(ok.data?.signUpWithAccount.ok).toBe(true);
    const viewer = await api(VIEWER, {}, (await passwordSignIn(email, 'a-good-password', 'skyline')).token);
    expect(viewer.data?.viewer.customer.id).toBe(customer.id);
    const reuse = await apiFrom(freshClient(), SIGN_UP, { input: { tenantSlug: 'skyline', inviteCode: code, email: `again-${unique()}@example.com`, password: 'a-good-password' } });
    expect(codes(reuse)).toEqual(['BAD_USER_INPUT']);

    const late = await customerWithoutLogin();
    const lateCode = (await api(INVITE, { id: late.id }, await agent())).data?.createPortalInvite.code as string;
    const conn = await connectMongo('customer', { uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') });
    try {
      await conn.db!.collection('portal_invites').updateOne({ customerId: late.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    } finally {
      await conn.close();
    }
    const expired = await apiFrom(freshClient(), SIGN_UP, { input: { tenantSlug: 'skyline', inviteCode: lateCode, email: `late-${unique()}@example.com`, password: 'a-good-password' } });
    expect(codes(expired)).toEqual(['BAD_USER_INPUT']);
    expect(expired.errors?.[0]?.message).toMatch(/expired/);
  });

  it('links one login when several sign-ups for the same account race, and leaves no stray users', async () => {
    const customer = await customerWithoutLogin();
    const emails = Array.from({ length: 4 }, () => `race-${unique()}@example.com`);
    const results = await Promise.all(
      emails.map((email) => apiFrom(freshClient(), SIGN_UP, { input: { tenantSlug: 'skyline', accountNumber: customer.accountNumber, phone: customer.phone, email, password: 'a-good-password' } })),
    );
    expect(results.filter((r) => r.data?.signUpWithAccount?.ok)).toHaveLength(1);
    for (const r of results.filter((r) => !r.data?.signUpWithAccount?.ok)) expect(codes(r)).toEqual(['CONFLICT']);
    const signIns = await Promise.all(emails.map((email) => passwordSignIn(email, 'a-good-password', 'skyline')));
    expect(signIns.filter((s) => s.token)).toHaveLength(1);
    const viewer = await api(VIEWER, {}, signIns.find((s) => s.token)!.token);
    expect(viewer.data?.viewer.customer.id).toBe(customer.id);
  });

  it('refuses a revoked customer', async () => {
    const customer = await customerWithoutLogin();
    const invite = (await api(INVITE, { id: customer.id }, await agent())).data?.createPortalInvite.code as string;
    const email = `rev-${unique()}@example.com`;
    await apiFrom(freshClient(), SIGN_UP, { input: { tenantSlug: 'skyline', inviteCode: invite, email, password: 'a-good-password' } });
    await api(`mutation ($id: ID!) { revokePortalAccess(customerId: $id) { ok } }`, { id: customer.id }, await agent());
    const r = await apiFrom(freshClient(), SIGN_UP, { input: { tenantSlug: 'skyline', accountNumber: customer.accountNumber, phone: customer.phone, email: `x-${email}`, password: 'a-good-password' } });
    expect(codes(r)).toEqual(['FORBIDDEN']);
  });

  it('lets the proven customer take an email that someone registered client-side, and shuts that login out', async () => {
    const customer = await customerWithoutLogin();
    const email = `taken-${unique()}@example.com`;
    await clientSideSignUp(email, 'squatter-password', 'skyline');
    const ok = await apiFrom(freshClient(), SIGN_UP, { input: { tenantSlug: 'skyline', accountNumber: customer.accountNumber, phone: customer.phone, email, password: 'owner-password' } });
    expect(ok.data?.signUpWithAccount.ok).toBe(true);
    expect((await passwordSignIn(email, 'squatter-password', 'skyline')).token).toBeUndefined();
    expect((await api(VIEWER, {}, (await passwordSignIn(email, 'owner-password', 'skyline')).token)).data?.viewer.customer.id).toBe(customer.id);
    // An email that is already one of our logins stays its owner's.
    const other = await customerWithoutLogin();
    const r = await apiFrom(freshClient(), SIGN_UP, { input: { tenantSlug: 'skyline', accountNumber: other.accountNumber, phone: other.phone, email: 'alice@skyline.example', password: 'owner-password' } });
    expect(codes(r)).toEqual(['CONFLICT']);
    expect((await passwordSignIn('alice@skyline.example', 'demo-password', 'skyline')).token).toBeTruthy();
  });

  it('gives a login a client made for itself no access (claims only come from the server)', async () => {
    const self = await clientSideSignUp(`diy-${unique()}@example.com`, 'a-good-password', 'skyline');
    expect(self.token).toBeTruthy();
    const r = await api(VIEWER, {}, self.token);
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('forgotten passwords', () => {
  const RESET = `mutation ($input: PasswordResetRequestInput!) { requestPasswordReset(input: $input) { ok } }`;

  it('emails a branded link to a customer login and answers the same for unknown emails', async () => {
    const customer = await customerWithoutLogin();
    const invite = (await api(INVITE, { id: customer.id }, await agent())).data?.createPortalInvite.code as string;
    const email = `forgot-${unique()}@example.com`;
    await apiFrom(freshClient(), SIGN_UP, { input: { tenantSlug: 'skyline', inviteCode: invite, email, password: 'first-password' } });

    const known = await apiFrom(freshClient(), RESET, { input: { tenantSlug: 'skyline', email } });
    const unknown = await apiFrom(freshClient(), RESET, { input: { tenantSlug: 'skyline', email: `nobody-${unique()}@example.com` } });
    const elsewhere = await apiFrom(freshClient(), RESET, { input: { tenantSlug: 'prairie', email } });
    expect([known.data, unknown.data, elsewhere.data]).toEqual([{ requestPasswordReset: { ok: true } }, { requestPasswordReset: { ok: true } }, { requestPasswordReset: { ok: true } }]);
    const mail = await mailTo(email, 'password-reset');
    expect(mail.text).toContain('Skyline Wireless');
    expect(await confirmPasswordReset(oobCodeOf(mail.text).oobCode, 'second-password', 'skyline')).toEqual({ ok: true });
    expect((await passwordSignIn(email, 'second-password', 'skyline')).token).toBeTruthy();
    expect((await api(OUTBOX, { to: email }, await agent('prairie'))).data?.outboxEmails).toEqual([]);

    expect(codes(await apiFrom(freshClient(), RESET, { input: { tenantSlug: 'skyline', email: 'nope' } }))).toEqual(['BAD_USER_INPUT']);
    const flood = [];
    for (let i = 0; i < 6; i++) flood.push(codes(await apiFrom(freshClient(), RESET, { input: { tenantSlug: 'skyline', email } }))[0] ?? 'OK');
    expect(flood).toContain('RATE_LIMITED');
  });
});

describe('the same email at two WISPs', () => {
  it('is two logins, each reading only its own WISP’s record', async () => {
    const sky = await passwordSignIn('carol@shared.example', 'demo-password', 'skyline');
    const pra = await passwordSignIn('carol@shared.example', 'demo-password', 'prairie');
    expect(sky.uid).not.toBe(pra.uid);
    const skyViewer = (await api(VIEWER, {}, sky.token)).data?.viewer;
    const praViewer = (await api(VIEWER, {}, pra.token)).data?.viewer;
    expect(skyViewer.customer).toMatchObject({ id: customerId('skyline', 'carol'), accountNumber: 'SKY-10003' });
    expect(praViewer.customer).toMatchObject({ id: customerId('prairie', 'carol'), accountNumber: 'PRA-20003' });
    const Q = `query ($id: ID!) { customer(id: $id) { id } }`;
    expect(codes(await api(Q, { id: customerId('skyline', 'carol') }, pra.token))).toEqual(['NOT_FOUND']);
    expect(codes(await api(Q, { id: customerId('prairie', 'carol') }, sky.token))).toEqual(['NOT_FOUND']);
  });
});
