/**
 * Account security of portal logins: password change with the current password, signing out
 * everywhere, confirming a self-chosen email, the TOTP second factor (enforced by the gateway),
 * lockout after failed sign-ins, and the mails and audit entries that go with them. Attacks:
 * wrong and replayed codes, brute force, one login acting on another, lockout per account.
 */
import { connectMongo, createLogger, firebaseAuth, Role } from '@wisp/shared';
import { openCustomerDirectory, openEventLog } from '@wisp/events';
import { authTenantIdFor, codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { createClient } from 'graphql-ws';
import { Secret, TOTP } from 'otpauth';
import WebSocket from 'ws';
import { describe, expect, inject, it } from 'vitest';
import { admin, agent, api, apiFrom, createCustomer, eventually, gatewayUrl, mailTo, newCustomer, passwordSignIn, unique } from './portalAccounts.ts';
import { tenantId } from './demo.ts';
import { createTestTenant } from './tenantFixtures.ts';

const SIGN_UP = `mutation ($input: SignUpInput!) { signUpWithAccount(input: $input) { ok email } }`;
const SECURITY = `{ accountSecurity { totpEnabled secondFactorRequired staffSecondFactorRequired emailVerified } }`;
const CHANGE = `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) { ok } }`;
const BEGIN = `mutation { beginTotpEnrolment { secret otpauthUri } }`;
const CONFIRM = `mutation ($code: String!) { confirmTotpEnrolment(code: $code) { ok session { token expiresAt } } }`;
const VERIFY = `mutation ($code: String!) { verifySecondFactor(code: $code) { token expiresAt } }`;
const REMOVE = `mutation ($code: String!) { removeTotp(code: $code) { ok } }`;
const REPORT = `mutation ($input: SignInAttemptInput!) { reportSignInFailure(input: $input) { locked retryAfterSeconds } }`;
const LOCKOUT = `query ($input: SignInAttemptInput!) { signInLockout(input: $input) { locked } }`;
const MY_RECORD = `{ viewer { customer { id name } } }`;
const SECURITY_AUDIT = `query ($filter: AuditFilter) { customerAuditLog(filter: $filter) { edges { node { action outcome target { id } userAgent } } } }`;

let octet = 10;
const freshClient = () => `127.0.${Math.floor(Math.random() * 150) + 100}.${(octet++ % 250) + 2}`;

/** A customer who signed up with their own email and password: a login nobody else uses. */
async function selfSignedUp(password = 'first-good-password') {
  const customer = await createCustomer(await agent(), newCustomer('SKY', null));
  const email = `sec-${unique()}@example.com`;
  const r = await apiFrom(freshClient(), SIGN_UP, { input: { tenantSlug: 'skyline', accountNumber: customer.accountNumber, phone: customer.phone, email, password } });
  if (!r.data?.signUpWithAccount.ok) throw new Error(JSON.stringify(r.errors));
  const signIn = await passwordSignIn(email, password, 'skyline');
  return { customer, email, password, token: signIn.token!, uid: signIn.uid! };
}

const call = (query: string, variables: Record<string, unknown>, token: string, headers: Record<string, string> = {}) => gql(gatewayUrl(), query, variables, { token, headers });
const totpOf = (secret: string) => new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
/** A code of the next time step: accepted (one step of drift is allowed) and not yet used. */
const nextCode = (secret: string, steps = 1) => totpOf(secret).generate({ timestamp: Date.now() + steps * 30_000 });
const wrongCode = (secret: string) => {
  const right = new Set([-1, 0, 1].map((s) => totpOf(secret).generate({ timestamp: Date.now() + s * 30_000 })));
  for (let n = 0; ; n++) {
    const c = String(n).padStart(6, '0');
    if (!right.has(c)) return c;
  }
};

/** How a live-updates connection with these parameters ends up: its close code, or 'connected'. */
function socketOutcome(token: string, secondFactor: string | undefined): Promise<number | 'connected'> {
  return new Promise((resolve) => {
    const client = createClient({
      url: gatewayUrl().replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}`, ...(secondFactor ? { secondFactor } : {}) },
      retryAttempts: 0,
      lazy: false,
      on: {
        connected: () => {
          resolve('connected');
          void client.dispose();
        },
        closed: (e) => resolve((e as { code: number }).code),
      },
    });
  });
}

async function isRevoked(token: string): Promise<boolean> {
  const auth = firebaseAuth().tenantManager().authForTenant(await authTenantIdFor('skyline'));
  return auth.verifyIdToken(token, true).then(() => false, () => true);
}

describe('password change', () => {
  it('needs the current password, ends other sessions and mails the holder', async () => {
    const me = await selfSignedUp();
    const wrong = await call(CHANGE, { input: { currentPassword: 'not-my-password', newPassword: 'second-good-password' } }, me.token);
    expect(codes(wrong)).toEqual(['BAD_USER_INPUT']);
    expect(wrong.errors?.[0]?.extensions?.field).toBe('currentPassword');
    expect((await passwordSignIn(me.email, me.password, 'skyline')).token).toBeTruthy();
    const weak = await call(CHANGE, { input: { currentPassword: me.password, newPassword: 'short' } }, me.token);
    expect(codes(weak)).toEqual(['BAD_USER_INPUT']);

    await new Promise((r) => setTimeout(r, 1100)); // revocation has one-second granularity
    const ok = await call(CHANGE, { input: { currentPassword: me.password, newPassword: 'second-good-password' } }, me.token, { 'user-agent': 'SettingsPage/1' });
    expect(ok.data?.changePassword).toEqual({ ok: true });
    expect((await passwordSignIn(me.email, me.password, 'skyline')).error).toBeTruthy();
    expect((await passwordSignIn(me.email, 'second-good-password', 'skyline')).token).toBeTruthy();
    expect(await isRevoked(me.token)).toBe(true);
    const mail = await mailTo(me.email, 'security-password-changed');
    expect(mail.text).toContain('password');
    const audit = await call(SECURITY_AUDIT, { filter: { actions: ['PASSWORD_CHANGED'], targetId: me.uid } }, await admin());
    expect(audit.data?.customerAuditLog.edges).toEqual([{ node: { action: 'PASSWORD_CHANGED', outcome: 'SUCCESS', target: { id: me.uid }, userAgent: 'SettingsPage/1' } }]);
  });

  it("changes only the caller's own password and cannot be named for someone else", async () => {
    const [a, b] = await Promise.all([selfSignedUp('alpha-good-password'), selfSignedUp('bravo-good-password')]);
    // B's password proves nothing about A's login, and A's call never touches B's.
    expect(codes(await call(CHANGE, { input: { currentPassword: b.password, newPassword: 'taken-over-password' } }, a.token))).toEqual(['BAD_USER_INPUT']);
    expect((await passwordSignIn(b.email, b.password, 'skyline')).token).toBeTruthy();
    expect((await passwordSignIn(a.email, a.password, 'skyline')).token).toBeTruthy();
    expect((await passwordSignIn(b.email, 'taken-over-password', 'skyline')).error).toBeTruthy();
    // There is no argument to name another login.
    const named = await call(`mutation { changePassword(input: { currentPassword: "x", newPassword: "y-long-enough", uid: "${b.uid}" }) { ok } }`, {}, a.token);
    expect(codes(named)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(codes(await gql(gatewayUrl(), CHANGE, { input: { currentPassword: 'x', newPassword: 'y-long-enough' } }))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('sign out everywhere', () => {
  it('revokes every session of the caller only, and mails the holder', async () => {
    const [me, other] = await Promise.all([selfSignedUp(), selfSignedUp()]);
    const second = (await passwordSignIn(me.email, me.password, 'skyline')).token!;
    await new Promise((r) => setTimeout(r, 1100));
    expect((await call(`mutation { signOutEverywhere { ok } }`, {}, me.token)).data?.signOutEverywhere).toEqual({ ok: true });
    expect(await isRevoked(me.token)).toBe(true);
    expect(await isRevoked(second)).toBe(true);
    expect(await isRevoked(other.token)).toBe(false);
    await mailTo(me.email, 'security-signed-out-everywhere');
  });
});

describe('email verification', () => {
  it('keeps a self-chosen sign-up email from ticket mail until its link is used, once', async () => {
    const me = await selfSignedUp();
    expect((await call(SECURITY, {}, me.token)).data?.accountSecurity.emailVerified).toBe(false);
    // What other services learn of the customer: a read model kept from the customer subgraph's events.
    const mongo = { uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') };
    const conn = await connectMongo(`reader-${unique()}`, mongo);
    const log = await openEventLog(mongo);
    const directory = await openCustomerDirectory({ conn, log, logger: createLogger('test-reader') });
    try {
      const before = await directory.get(tenantId('skyline'), me.customer.id);
      expect(before?.id).toBe(me.customer.id);
      expect(before?.ticketMailTo).toBeNull();

      // A ticket update by staff mails nobody while the email is unconfirmed.
      const opened = await call(`mutation ($input: OpenTicketInput!) { openTicket(input: $input) { id } }`, { input: { title: 'No signal', description: 'Down since noon', category: 'NO_SERVICE', clientMutationId: unique() } }, me.token);
      const ticketId = opened.data!.openTicket.id as string;
      const STATUS = `mutation ($id: ID!, $s: WorkOrderStatus!) { changeWorkOrderStatus(id: $id, status: $s) { status } }`;
      expect((await api(STATUS, { id: ticketId, s: 'IN_PROGRESS' }, await agent())).data?.changeWorkOrderStatus.status).toBe('IN_PROGRESS');
      const kinds = async () => ((await api(`query ($to: String) { outboxEmails(to: $to) { kind } }`, { to: me.email }, await agent())).data?.outboxEmails ?? []).map((e: { kind: string }) => e.kind);
      await new Promise((r) => setTimeout(r, 500));
      expect((await kinds()).filter((k: string) => k.startsWith('notification-'))).toEqual([]);

      const mail = await mailTo(me.email, 'email-verification');
      const token = /verify-email\?token=([\w-]+)/.exec(mail.text)?.[1];
      expect(token).toBeTruthy();
      expect((await api(`mutation ($t: String!) { verifyEmail(token: $t) }`, { t: token + 'x' })).data?.verifyEmail).toBe(false);
      expect((await api(`mutation ($t: String!) { verifyEmail(token: $t) }`, { t: token })).data?.verifyEmail).toBe(true);
      expect((await api(`mutation ($t: String!) { verifyEmail(token: $t) }`, { t: token })).data?.verifyEmail).toBe(false);
      await directory.model.settled();
      const after = await directory.get(tenantId('skyline'), me.customer.id);
      expect(after?.ticketMailTo).toBe(me.email);
      expect((await call(SECURITY, {}, me.token)).data?.accountSecurity.emailVerified).toBe(true);
      // Once confirmed, the next update reaches it.
      await api(STATUS, { id: ticketId, s: 'RESOLVED' }, await agent());
      const update = await mailTo(me.email, 'notification-status-changed');
      expect(update.subject).toContain('resolved');
    } finally {
      await directory.close();
      await log.close();
      await conn.dropDatabase();
      await conn.close();
    }
  });
});

describe('TOTP second factor', () => {
  it('enrols with a confirmed code, then the gateway requires it of every request', async () => {
    const me = await selfSignedUp();
    const begun = await call(BEGIN, {}, me.token);
    const { secret, otpauthUri } = begun.data!.beginTotpEnrolment;
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(codes(await call(CONFIRM, { code: wrongCode(secret) }, me.token))).toEqual(['BAD_USER_INPUT']);
    expect((await call(SECURITY, {}, me.token)).data?.accountSecurity.totpEnabled).toBe(false);

    const confirmed = await call(CONFIRM, { code: nextCode(secret, 0) }, me.token);
    expect(confirmed.data?.confirmTotpEnrolment.ok).toBe(true);
    const session = confirmed.data!.confirmTotpEnrolment.session.token as string;
    await mailTo(me.email, 'security-factor-added');

    // Without the session marker, nothing but the second-factor step is served.
    const blocked = await eventually(async () => {
      const r = await call(MY_RECORD, {}, me.token);
      return r.errors?.[0]?.extensions?.reason === 'SECOND_FACTOR_REQUIRED' ? r : null;
    });
    expect(codes(blocked)).toEqual(['FORBIDDEN']);
    expect(codes(await call(MY_RECORD, {}, me.token, { 'x-wisp-second-factor': 'made-up' }))).toEqual(['FORBIDDEN']);
    expect((await call(MY_RECORD, {}, me.token, { 'x-wisp-second-factor': session })).data?.viewer.customer.id).toBe(me.customer.id);
    expect((await call(SECURITY, {}, me.token)).data?.accountSecurity).toMatchObject({ totpEnabled: true, secondFactorRequired: true });

    // Live updates and attachment downloads hold the login to its second factor too.
    expect(await socketOutcome(me.token, undefined)).toBe(4412);
    expect(await socketOutcome(me.token, session)).toBe('connected');
    const file = `${new URL(gatewayUrl()).origin}/attachments/${'0'.repeat(24)}`;
    const held = await fetch(file, { headers: { authorization: `Bearer ${me.token}` } });
    expect(held.status).toBe(403);
    expect(await held.json()).toMatchObject({ errors: [{ extensions: { code: 'FORBIDDEN', reason: 'SECOND_FACTOR_REQUIRED' } }] });
    expect((await fetch(file, { headers: { authorization: `Bearer ${me.token}`, 'x-wisp-second-factor': session } })).status).not.toBe(403);

    // A fresh sign-in passes with a new code; the same code does not work twice.
    const fresh = (await passwordSignIn(me.email, me.password, 'skyline')).token!;
    const code = nextCode(secret, 1);
    const passed = await call(VERIFY, { code }, fresh);
    expect(passed.data?.verifySecondFactor.token).toBeTruthy();
    expect(codes(await call(VERIFY, { code }, fresh))).toEqual(['BAD_USER_INPUT']);
    expect((await call(MY_RECORD, {}, fresh, { 'x-wisp-second-factor': passed.data!.verifySecondFactor.token })).data?.viewer.customer.id).toBe(me.customer.id);
    // Another login's marker does not count for this one.
    const other = await selfSignedUp();
    expect(codes(await call(`{ viewer { customer { id } } }`, {}, other.token, { 'x-wisp-second-factor': session }))).toEqual([]);
  });

  it('limits code guessing: after 5 wrong codes even the right one is refused', async () => {
    const me = await selfSignedUp();
    const { secret } = (await call(BEGIN, {}, me.token)).data!.beginTotpEnrolment;
    await call(CONFIRM, { code: nextCode(secret, 0) }, me.token);
    const results = [];
    for (let i = 0; i < 5; i++) results.push(codes(await call(VERIFY, { code: wrongCode(secret) }, me.token))[0]);
    // The confirmation counted too: 4 wrong guesses are answered, the 5th attempt after it is refused.
    expect(results).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT', 'RATE_LIMITED']);
    expect(codes(await call(VERIFY, { code: nextCode(secret, 1) }, me.token))).toEqual(['RATE_LIMITED']);
    const audit = await call(SECURITY_AUDIT, { filter: { targetId: me.uid, actions: ['SECOND_FACTOR_RATE_LIMITED'] } }, await admin());
    expect(audit.data?.customerAuditLog.edges.length).toBeGreaterThan(0);
  });

  it("needs a current code to remove, and one customer cannot remove another's", async () => {
    const [a, b] = await Promise.all([selfSignedUp(), selfSignedUp()]);
    const { secret } = (await call(BEGIN, {}, a.token)).data!.beginTotpEnrolment;
    const session = (await call(CONFIRM, { code: nextCode(secret, 0) }, a.token)).data!.confirmTotpEnrolment.session.token as string;
    const withA = { 'x-wisp-second-factor': session };
    // B acts on B only: B has no factor, and A's code means nothing for B.
    expect(codes(await call(REMOVE, { code: nextCode(secret, 1) }, b.token))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await call(REMOVE, { code: wrongCode(secret) }, a.token, withA))).toEqual(['BAD_USER_INPUT']);
    expect((await call(SECURITY, {}, a.token, withA)).data?.accountSecurity.totpEnabled).toBe(true);
    expect((await call(REMOVE, { code: nextCode(secret, 1) }, a.token, withA)).data?.removeTotp).toEqual({ ok: true });
    expect((await call(SECURITY, {}, a.token)).data?.accountSecurity.totpEnabled).toBe(false);
    await mailTo(a.email, 'security-factor-removed');
  });

  it('is required of staff when their tenant says so, who may then only enrol', async () => {
    const ops = await emulatorIdToken('ops@platform.example');
    const tenant = await createTestTenant(gatewayUrl(), ops, 'mfa');
    const adminToken = await tenant.adminToken();
    const agentToken = await tenant.loginAs(Role.AGENT, `agent@${tenant.slug}.example`);
    const QUEUE = `{ workOrderQueue { edges { node { id } } } }`;
    expect(codes(await call(QUEUE, {}, agentToken))).toEqual([]);
    expect(codes(await call(`mutation { setStaffSecondFactorPolicy(required: true) { staffSecondFactorRequired } }`, {}, agentToken))).toEqual(['FORBIDDEN']);
    const set = await call(`mutation { setStaffSecondFactorPolicy(required: true) { staffSecondFactorRequired } }`, {}, adminToken);
    expect(set.data?.setStaffSecondFactorPolicy.staffSecondFactorRequired).toBe(true);

    const blocked = await eventually(async () => {
      const r = await call(QUEUE, {}, agentToken);
      return r.errors?.[0]?.extensions?.reason === 'SECOND_FACTOR_REQUIRED' ? r : null;
    });
    expect(codes(blocked)).toEqual(['FORBIDDEN']);
    const { secret } = (await call(BEGIN, {}, agentToken)).data!.beginTotpEnrolment;
    const session = (await call(CONFIRM, { code: nextCode(secret, 0) }, agentToken)).data!.confirmTotpEnrolment.session.token as string;
    expect(codes(await call(QUEUE, {}, agentToken, { 'x-wisp-second-factor': session }))).toEqual([]);
    // While the policy holds, staff cannot remove their factor.
    expect(codes(await call(REMOVE, { code: nextCode(secret, 1) }, agentToken, { 'x-wisp-second-factor': session }))).toEqual(['FORBIDDEN']);
  });
});

describe('sign-in lockout', () => {
  it('pauses one account after 5 reported failures, ends a session opened around the form, and audits it', async () => {
    const [me, neighbour] = await Promise.all([selfSignedUp(), selfSignedUp()]);
    const input = { tenantSlug: 'skyline', email: me.email.toUpperCase() };
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await api(REPORT, { input })).data?.reportSignInFailure.locked);
    expect(answers).toEqual([false, false, false, false, true]);
    expect((await api(LOCKOUT, { input: { tenantSlug: 'skyline', email: me.email } })).data?.signInLockout.locked).toBe(true);
    // Per account: the neighbour, and the same email at another WISP, are not locked.
    expect((await api(LOCKOUT, { input: { tenantSlug: 'skyline', email: neighbour.email } })).data?.signInLockout.locked).toBe(false);
    expect((await api(LOCKOUT, { input: { tenantSlug: 'prairie', email: me.email } })).data?.signInLockout.locked).toBe(false);
    expect(codes(await call(`mutation { recordSignIn }`, {}, neighbour.token))).toEqual([]);

    // Signing in straight at Firebase works, but the portal's sign-in step ends that session.
    const around = (await passwordSignIn(me.email, me.password, 'skyline')).token!;
    await new Promise((r) => setTimeout(r, 1100));
    expect(codes(await call(`mutation { recordSignIn }`, {}, around))).toEqual(['RATE_LIMITED']);
    expect(await isRevoked(around)).toBe(true);
    const audit = await call(SECURITY_AUDIT, { filter: { actions: ['SIGN_IN_LOCKED'], targetId: me.uid } }, await admin());
    expect(audit.data?.customerAuditLog.edges).toHaveLength(1);
    await mailTo(me.email, 'security-sign-in-locked');
  });

  it('mails about a sign-in from a new browser, not about a known one', async () => {
    const me = await selfSignedUp();
    expect(codes(await call(`mutation { recordSignIn }`, {}, me.token, { 'user-agent': 'FirstBrowser/1' }))).toEqual([]);
    expect(codes(await call(`mutation { recordSignIn }`, {}, me.token, { 'user-agent': 'FirstBrowser/1' }))).toEqual([]);
    const r = await api(`query ($to: String) { outboxEmails(to: $to) { kind } }`, { to: me.email }, await agent());
    expect(r.data?.outboxEmails.map((e: { kind: string }) => e.kind)).not.toContain('security-new-device');
    expect(codes(await call(`mutation { recordSignIn }`, {}, me.token, { 'user-agent': 'OtherBrowser/2' }))).toEqual([]);
    await mailTo(me.email, 'security-new-device');
  });
});
