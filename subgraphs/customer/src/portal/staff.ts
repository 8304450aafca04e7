import { claimsFor, codedError, ErrorCode, forbidden, notFound, renderBrandedEmail, Role, unauthenticated, type Identity, type TenantInfo } from '@wisp/shared';
import type { BaseAuth, UserRecord } from 'firebase-admin/auth';
import type { Context } from '../context.ts';
import { emailProblem, normaliseEmail, textProblem } from './validation.ts';
import { setPasswordUrl, type PortalDeps } from './provisioning.ts';

/** The roles a WISP's staff have. */
export type StaffRole = 'AGENT' | 'TENANT_ADMIN';
const STAFF_ROLES: readonly string[] = [Role.AGENT, Role.TENANT_ADMIN];

export interface StaffAccount {
  uid: string;
  email: string | null;
  name: string;
  role: StaffRole;
  status: 'INVITED' | 'ACTIVE' | 'DISABLED';
  invitedAt: string | null;
  lastSignInAt: string | null;
}

/** Invited and not yet in: no password set and no session ever started (creation alone can stamp a sign-in time). */
const stillInvited = (u: UserRecord) => !u.passwordHash && !(u.providerData ?? []).some((p) => p.providerId === 'password') && !u.metadata.lastRefreshTime;

function account(u: UserRecord): StaffAccount {
  const lastSignIn = !stillInvited(u) && u.metadata.lastSignInTime ? new Date(u.metadata.lastSignInTime).toISOString() : null;
  return {
    uid: u.uid,
    email: u.email ?? null,
    name: u.displayName || u.email || 'Staff member',
    role: u.customClaims?.role as StaffRole,
    status: u.disabled ? 'DISABLED' : stillInvited(u) ? 'INVITED' : 'ACTIVE',
    invitedAt: u.metadata.creationTime ? new Date(u.metadata.creationTime).toISOString() : null,
    lastSignInAt: lastSignIn,
  };
}

const isStaffOf = (u: UserRecord, tenantId: string) => u.customClaims?.tenantId === tenantId && STAFF_ROLES.includes(String(u.customClaims?.role));

async function tenantAuth(deps: PortalDeps, tenantId: string): Promise<{ tenant: TenantInfo; auth: BaseAuth }> {
  const tenant = await deps.services.tenants.get(tenantId);
  if (!tenant?.authTenantId) throw codedError(ErrorCode.INTERNAL, 'This WISP has no login pool yet; try again in a moment.', { retryable: true });
  return { tenant, auth: deps.services.authFor(tenant) };
}

async function everyStaff(auth: BaseAuth, tenantId: string): Promise<UserRecord[]> {
  const out: UserRecord[] = [];
  let pageToken: string | undefined;
  do {
    const page = await auth.listUsers(1000, pageToken);
    out.push(...page.users.filter((u) => isStaffOf(u, tenantId)));
    pageToken = page.pageToken;
  } while (pageToken);
  return out;
}

async function staffMember(auth: BaseAuth, tenantId: string, uid: string): Promise<UserRecord> {
  const user = typeof uid === 'string' && uid.length <= 128 ? await auth.getUser(uid).catch(() => null) : null;
  if (!user || !isStaffOf(user, tenantId)) throw notFound('Staff member');
  return user;
}

function adminTenant(identity: Identity | null): string {
  if (!identity) throw unauthenticated();
  if (identity.role !== Role.TENANT_ADMIN || !identity.tenantId) throw forbidden('Only the WISP\'s administrators manage its staff.');
  return identity.tenantId;
}

/** Refuses a change that would leave the WISP with no administrator who can sign in. */
async function keepAnAdmin(auth: BaseAuth, tenantId: string, losing: UserRecord) {
  if (losing.customClaims?.role !== Role.TENANT_ADMIN || losing.disabled) return;
  const admins = (await everyStaff(auth, tenantId)).filter((u) => u.customClaims?.role === Role.TENANT_ADMIN && !u.disabled);
  if (admins.length <= 1) throw codedError(ErrorCode.CONFLICT, 'A WISP keeps at least one administrator: make someone else an administrator first.');
}

async function mailInvitation(deps: PortalDeps, tenant: TenantInfo, auth: BaseAuth, user: UserRecord, role: StaffRole, dedupeKey: string) {
  const url = await setPasswordUrl(auth, tenant, user.email!, 'welcome');
  const company = tenant.branding.companyName;
  const what = role === Role.TENANT_ADMIN ? 'an administrator' : 'a support agent';
  const rendered = renderBrandedEmail(tenant, {
    subject: `You are invited to the ${company} portal`,
    heading: `Welcome to ${company}`,
    paragraphs: [`You have been added as ${what} of the ${company} portal. Your sign-in email is ${user.email}.`, 'Choose a password with the button below. The link works once; if it has expired, ask for a new invitation.'],
    action: { label: 'Set your password', url },
  });
  await deps.services.outbox.queue({ tenantId: tenant.id, to: user.email!, ...rendered, kind: 'staff-invitation', dedupeKey });
}

/**
 * Adds a login to the WISP's own login pool with a staff role set by the server, and mails a
 * branded invitation with a set-password link on the WISP's portal. Inviting an email that is
 * already staff here answers with that member (a retried invite creates nothing more).
 */
export async function inviteStaffMember(deps: PortalDeps, tenantId: string, input: { email: string; name?: string | null; role: StaffRole }): Promise<StaffAccount> {
  const email = normaliseEmail(String(input.email ?? '').trim());
  const bad = emailProblem(email);
  if (bad) throw codedError(ErrorCode.BAD_USER_INPUT, bad, { field: 'email' });
  const name = String(input.name ?? '').trim() || email;
  const badName = textProblem(name, 'Name', 200, true);
  if (badName) throw codedError(ErrorCode.BAD_USER_INPUT, badName, { field: 'name' });
  if (!STAFF_ROLES.includes(input.role)) throw codedError(ErrorCode.BAD_USER_INPUT, 'A staff role is AGENT or TENANT_ADMIN.', { field: 'role' });
  const { tenant, auth } = await tenantAuth(deps, tenantId);
  let user = await auth.getUserByEmail(email).catch(() => null);
  if (user && !isStaffOf(user, tenantId)) {
    throw codedError(ErrorCode.CONFLICT, user.customClaims?.role === Role.CUSTOMER ? 'This email signs in as a customer of this WISP; use another for staff.' : 'This email already has a login here.', { field: 'email' });
  }
  if (user) return account(user);
  try {
    user = await auth.createUser({ email, displayName: name, emailVerified: false });
  } catch (err) {
    // Two invites of one email at once: the other created it.
    if ((err as { code?: string }).code !== 'auth/email-already-exists') throw err;
    user = await auth.getUserByEmail(email);
  }
  await auth.setCustomUserClaims(user.uid, { ...claimsFor({ role: input.role, tenantId }) });
  user = await auth.getUser(user.uid);
  await mailInvitation(deps, tenant, auth, user, input.role, `staff-invite:${user.uid}`);
  return account(user);
}

const deps = (ctx: Context): PortalDeps => ({ models: ctx.models, services: ctx.models.services });

export const staffQueries = {
  staffAccounts: async (_: unknown, __: unknown, ctx: Context) => {
    const tenantId = adminTenant(ctx.identity);
    const { auth } = await tenantAuth(deps(ctx), tenantId);
    return (await everyStaff(auth, tenantId)).map(account).sort((a, b) => a.name.localeCompare(b.name));
  },
};

export const staffMutations = {
  inviteStaff: async (_: unknown, { input }: { input: { email: string; name?: string | null; role: StaffRole } }, ctx: Context) =>
    inviteStaffMember(deps(ctx), adminTenant(ctx.identity), input),

  resendStaffInvite: async (_: unknown, { uid }: { uid: string }, ctx: Context) => {
    const tenantId = adminTenant(ctx.identity);
    const { tenant, auth } = await tenantAuth(deps(ctx), tenantId);
    const user = await staffMember(auth, tenantId, uid);
    if (user.disabled) throw codedError(ErrorCode.BAD_USER_INPUT, 'Enable the login before inviting again.', { field: 'uid' });
    await mailInvitation(deps(ctx), tenant, auth, user, user.customClaims!.role as StaffRole, `staff-invite:${user.uid}:${Date.now()}`);
    return account(user);
  },

  changeStaffRole: async (_: unknown, { uid, role }: { uid: string; role: StaffRole }, ctx: Context) => {
    const tenantId = adminTenant(ctx.identity);
    const { auth } = await tenantAuth(deps(ctx), tenantId);
    const user = await staffMember(auth, tenantId, uid);
    if (user.customClaims?.role === role) return account(user);
    if (role !== Role.TENANT_ADMIN) await keepAnAdmin(auth, tenantId, user);
    await auth.setCustomUserClaims(uid, { ...claimsFor({ role, tenantId }) });
    // Sessions of the old role end: the next sign-in carries the new one.
    await auth.revokeRefreshTokens(uid);
    return account(await auth.getUser(uid));
  },

  disableStaff: async (_: unknown, { uid }: { uid: string }, ctx: Context) => {
    const tenantId = adminTenant(ctx.identity);
    const { auth } = await tenantAuth(deps(ctx), tenantId);
    const user = await staffMember(auth, tenantId, uid);
    await keepAnAdmin(auth, tenantId, user);
    await auth.updateUser(uid, { disabled: true });
    await auth.revokeRefreshTokens(uid);
    return account(await auth.getUser(uid));
  },

  enableStaff: async (_: unknown, { uid }: { uid: string }, ctx: Context) => {
    const tenantId = adminTenant(ctx.identity);
    const { auth } = await tenantAuth(deps(ctx), tenantId);
    await staffMember(auth, tenantId, uid);
    await auth.updateUser(uid, { disabled: false });
    return account(await auth.getUser(uid));
  },

  removeStaff: async (_: unknown, { uid }: { uid: string }, ctx: Context) => {
    const tenantId = adminTenant(ctx.identity);
    const { auth } = await tenantAuth(deps(ctx), tenantId);
    const user = await staffMember(auth, tenantId, uid);
    await keepAnAdmin(auth, tenantId, user);
    await auth.deleteUser(uid);
    return true;
  },
};

/**
 * Mails every active administrator of the WISP the same branded message, once per `dedupeKey`
 * and administrator (a retried call sends nothing twice). Returns how many were queued.
 */
export async function mailTenantAdmins(deps: PortalDeps, tenantId: string, content: Parameters<typeof renderBrandedEmail>[1], kind: string, dedupeKey: string): Promise<number> {
  const { tenant, auth } = await tenantAuth(deps, tenantId);
  const admins = (await everyStaff(auth, tenantId)).filter((u) => u.customClaims?.role === Role.TENANT_ADMIN && !u.disabled && u.email);
  const rendered = renderBrandedEmail(tenant, content);
  for (const admin of admins) await deps.services.outbox.queue({ tenantId: tenant.id, to: admin.email!, ...rendered, kind, dedupeKey: `${dedupeKey}:${admin.uid}` });
  return admins.length;
}
