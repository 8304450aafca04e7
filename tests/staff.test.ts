/**
 * Staff onboarding: a new WISP gets its first administrator by invitation, and its admins invite,
 * list, re-invite, change the role of, disable and remove staff, never leaving it without one.
 */
import { randomUUID } from 'node:crypto';
import { openOutbox, Role } from '@wisp/shared';
import { codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { confirmPasswordReset, eventually, oobCodeOf, passwordSignIn } from './portalAccounts.ts';
import { createTestTenant, uniqueSlug } from './tenantFixtures.ts';

const url = inject('gatewayUrl');
const outbox = await openOutbox({ uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') });
afterAll(() => outbox.close());
let ops: string;

const STAFF = `{ staffAccounts { uid email name role status } }`;
const INVITE = `mutation($input: InviteStaffInput!) { inviteStaff(input: $input) { uid email role status } }`;
const ROLE = `mutation($uid: ID!, $role: StaffRole!) { changeStaffRole(uid: $uid, role: $role) { uid role } }`;
const DISABLE = `mutation($uid: ID!) { disableStaff(uid: $uid) { status } }`;
const ENABLE = `mutation($uid: ID!) { enableStaff(uid: $uid) { status } }`;
const REMOVE = `mutation($uid: ID!) { removeStaff(uid: $uid) }`;

const invitationTo = (email: string) => eventually(async () => (await outbox.list({ to: email, kind: 'staff-invitation' }))[0]);

beforeAll(async () => {
  ops = await emulatorIdToken('ops@platform.example');
});

describe('a new WISP', () => {
  it('gets its first administrator by a branded invitation on its own portal', async () => {
    const slug = uniqueSlug('onb');
    const email = `first-admin@${slug}.example`;
    const created = await gql(url, `mutation($input: CreateTenantInput!) { createTenant(input: $input) { id } }`, { input: { slug, name: 'Onboarded Wireless', firstAdminEmail: email, clientMutationId: randomUUID() } }, { token: ops });
    expect(created.errors, JSON.stringify(created.errors)).toBeUndefined();
    const mail = await invitationTo(email);
    expect(mail.subject).toContain('Onboarded Wireless');
    const { url: link, oobCode } = oobCodeOf(mail.text);
    expect(link.hostname).toBe(`${slug}.localhost`);
    expect((await confirmPasswordReset(oobCode, 'first-admin-password', slug)).ok).toBe(true);
    const signIn = await passwordSignIn(email, 'first-admin-password', slug);
    expect(signIn.token).toBeTruthy();
    const me = await gql(url, `{ viewer { role tenant { slug } } }`, {}, { token: signIn.token! });
    expect(me.data!.viewer).toEqual({ role: 'TENANT_ADMIN', tenant: { slug } });
    expect((await gql(url, STAFF, {}, { token: signIn.token! })).data!.staffAccounts).toEqual([expect.objectContaining({ email, role: 'TENANT_ADMIN', status: 'ACTIVE' })]);
  });
});

describe('a WISP\'s admins', () => {
  it('invite, re-invite, promote, disable, enable and remove staff', async () => {
    const t = await createTestTenant(url, ops, 'stf');
    const admin = await t.adminToken();
    const email = `agent-${randomUUID().slice(0, 6)}@${t.slug}.example`;
    const invited = (await gql(url, INVITE, { input: { email, name: 'New Agent', role: 'AGENT' } }, { token: admin })).data!.inviteStaff;
    expect(invited).toMatchObject({ email, role: 'AGENT', status: 'INVITED' });
    // Inviting again creates nothing more.
    expect((await gql(url, INVITE, { input: { email, role: 'AGENT' } }, { token: admin })).data!.inviteStaff.uid).toBe(invited.uid);
    await invitationTo(email);
    const again = await gql(url, `mutation($uid: ID!) { resendStaffInvite(uid: $uid) { uid } }`, { uid: invited.uid }, { token: admin });
    expect(again.errors).toBeUndefined();
    await eventually(async () => (await outbox.list({ to: email, kind: 'staff-invitation' })).length >= 2);
    const listed = (await gql(url, STAFF, {}, { token: admin })).data!.staffAccounts;
    expect(listed.map((s: { email: string }) => s.email).sort()).toEqual([t.adminEmail, email].sort());

    // The invited agent sets a password and works.
    const mail = await invitationTo(email);
    expect((await confirmPasswordReset(oobCodeOf(mail.text).oobCode, 'agent-password-1', t.slug)).ok).toBe(true);
    const agentToken = (await passwordSignIn(email, 'agent-password-1', t.slug)).token!;
    expect((await gql(url, `{ workOrderQueue(first: 1) { edges { node { id } } } }`, {}, { token: agentToken })).errors).toBeUndefined();
    // An agent manages no staff.
    expect(codes(await gql(url, INVITE, { input: { email: `x-${email}`, role: 'AGENT' } }, { token: agentToken }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, STAFF, {}, { token: agentToken }))).toEqual(['FORBIDDEN']);

    expect((await gql(url, ROLE, { uid: invited.uid, role: 'TENANT_ADMIN' }, { token: admin })).data!.changeStaffRole.role).toBe('TENANT_ADMIN');
    expect((await gql(url, ROLE, { uid: invited.uid, role: 'AGENT' }, { token: admin })).data!.changeStaffRole.role).toBe('AGENT');
    expect((await gql(url, DISABLE, { uid: invited.uid }, { token: admin })).data!.disableStaff.status).toBe('DISABLED');
    // Signing in is refused at once (a token already held is refused once the gateway re-checks it, within 30 s).
    expect((await passwordSignIn(email, 'agent-password-1', t.slug)).error).toMatch(/USER_DISABLED/);
    expect((await gql(url, ENABLE, { uid: invited.uid }, { token: admin })).data!.enableStaff.status).toBe('ACTIVE');
    expect((await gql(url, REMOVE, { uid: invited.uid }, { token: admin })).data!.removeStaff).toBe(true);
    expect((await gql(url, STAFF, {}, { token: admin })).data!.staffAccounts.map((s: { email: string }) => s.email)).toEqual([t.adminEmail]);
  });

  it('never leave the WISP without an administrator, and reach only their own WISP\'s staff', async () => {
    const t = await createTestTenant(url, ops, 'last');
    const admin = await t.adminToken();
    const me = (await gql(url, STAFF, {}, { token: admin })).data!.staffAccounts[0].uid as string;
    for (const [q, v] of [[ROLE, { uid: me, role: 'AGENT' }], [DISABLE, { uid: me }], [REMOVE, { uid: me }]] as const) {
      expect(codes(await gql(url, q, v, { token: admin }))).toEqual(['CONFLICT']);
    }
    // With a second administrator, the first may step down.
    const other = (await gql(url, INVITE, { input: { email: `second@${t.slug}.example`, role: 'TENANT_ADMIN' } }, { token: admin })).data!.inviteStaff.uid as string;
    expect((await gql(url, ROLE, { uid: me, role: 'AGENT' }, { token: admin })).data!.changeStaffRole.role).toBe('AGENT');
    // Another WISP's admin: the uid is unknown there.
    const stranger = await (await createTestTenant(url, ops, 'strg')).adminToken();
    for (const [q, v] of [[ROLE, { uid: other, role: 'AGENT' }], [DISABLE, { uid: other }], [REMOVE, { uid: other }]] as const) {
      expect(codes(await gql(url, q, v, { token: stranger }))).toEqual(['NOT_FOUND']);
    }
    // A customer's email cannot become staff; bad input is coded.
    const customerEmail = `cust-${randomUUID().slice(0, 6)}@${t.slug}.example`;
    await t.loginAs(Role.CUSTOMER, customerEmail, '0123456789abcdef01234567');
    // The first stepped down (and was signed out): the second administrator carries on.
    const token = await emulatorIdToken(`second@${t.slug}.example`, t.slug);
    expect(codes(await gql(url, INVITE, { input: { email: customerEmail, role: 'AGENT' } }, { token }))).toEqual(['CONFLICT']);
    expect(codes(await gql(url, INVITE, { input: { email: 'not-an-email', role: 'AGENT' } }, { token }))).toEqual(['BAD_USER_INPUT']);
  });

  it('are audited', async () => {
    const t = await createTestTenant(url, ops, 'aud');
    const admin = await t.adminToken();
    await gql(url, INVITE, { input: { email: `audited@${t.slug}.example`, role: 'AGENT' } }, { token: admin });
    const log = await gql(url, `{ customerAuditLog(first: 20) { edges { node { category action outcome } } } }`, {}, { token: admin });
    expect(log.data!.customerAuditLog.edges.map((e: { node: { category: string; action: string } }) => `${e.node.category}:${e.node.action}`)).toContain('STAFF:inviteStaff');
  });
});
