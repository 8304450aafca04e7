import { portalAccessEvent, updateCustomerWithEvents } from '../customerEvents.ts';
import { claimsFor, isDuplicateKey, renderBrandedEmail, Role, type TenantInfo } from '@wisp/shared';
import type { BaseAuth, UserRecord } from 'firebase-admin/auth';
import type { Models, PortalStatus } from '../models/index.ts';
import { audit, type Actor } from './audit.ts';
import { languageFor, t } from '../notifications/i18n.ts';
import { inviteCode, inviteCodeHash, temporaryPassword } from './secrets.ts';
import { portalBaseUrl, type PortalServices } from './services.ts';

export interface PortalDeps {
  models: Models;
  services: PortalServices;
}

/** The outcome of an access action; `retryable` tells the background worker whether to try again. */
export type AccessOutcome = { ok: true; message?: string } | { ok: false; message: string; retryable: boolean };

/** How long an invite code works. @default 7 days */
export const INVITE_TTL_MS = 7 * 24 * 3_600_000;

const fail = (message: string, retryable = false): AccessOutcome => ({ ok: false, message, retryable });
const authCode = (err: unknown) => String((err as { code?: string }).code ?? '');

/** Firebase errors that another attempt will not fix. */
const PERMANENT_AUTH_ERRORS = new Set(['auth/invalid-email', 'auth/invalid-uid', 'auth/invalid-tenant-id', 'auth/tenant-not-found']);

async function loadContext(deps: PortalDeps, customerId: string) {
  const customer = await deps.models.Customer.findById(customerId).lean();
  if (!customer) return null;
  const tenant = await deps.services.tenants.get(String(customer.tenantId));
  if (!tenant) return null;
  return { customer, tenant, auth: deps.services.authFor(tenant) };
}

async function getUser(auth: BaseAuth, uid: string): Promise<UserRecord | null> {
  try {
    return await auth.getUser(uid);
  } catch (err) {
    if (authCode(err) === 'auth/user-not-found') return null;
    throw err;
  }
}

/** The `oobCode` of a Firebase action link, sent to the tenant's own portal page instead. */
export async function setPasswordUrl(auth: BaseAuth, tenant: TenantInfo, email: string, purpose: 'welcome' | 'reset'): Promise<string> {
  const link = await auth.generatePasswordResetLink(email);
  const oobCode = new URL(link).searchParams.get('oobCode');
  if (!oobCode) throw new Error('The password link has no action code.');
  return `${portalBaseUrl(tenant)}/set-password?oobCode=${encodeURIComponent(oobCode)}${purpose === 'welcome' ? '&welcome=1' : ''}`;
}

async function queueSetPasswordEmail(
  deps: PortalDeps,
  tenant: TenantInfo,
  customer: { _id: unknown; name: string; email: string; notificationSettings?: { language?: string | null } | null },
  auth: BaseAuth,
  purpose: 'welcome' | 'reset',
  dedupeKey: string,
) {
  const url = await setPasswordUrl(auth, tenant, customer.email, purpose);
  const company = tenant.branding.companyName;
  const firstName = customer.name.split(/\s+/)[0] ?? customer.name;
  // In the customer's language, else the WISP's.
  const lang = languageFor(customer.notificationSettings?.language, tenant.branding.defaultLanguage);
  const words = { company, name: firstName, email: customer.email };
  const content =
    purpose === 'welcome'
      ? {
          subject: t(lang, 'account-welcome.subject', words),
          heading: t(lang, 'account-welcome.heading', words),
          paragraphs: [t(lang, 'account-welcome.intro', words), t(lang, 'account-welcome.how', words)],
          action: { label: t(lang, 'account-welcome.action'), url },
        }
      : {
          subject: t(lang, 'account-reset.subject', words),
          heading: t(lang, 'account-reset.heading', words),
          paragraphs: [t(lang, 'account-reset.intro', words), t(lang, 'account-reset.ignore')],
          action: { label: t(lang, 'account-reset.action'), url },
        };
  const rendered = renderBrandedEmail(tenant, content);
  await deps.services.outbox.queue({
    tenantId: tenant.id,
    to: customer.email,
    ...rendered,
    kind: purpose === 'welcome' ? 'portal-welcome' : 'password-reset',
    dedupeKey,
  });
}

async function recordFailure(deps: PortalDeps, customerId: string, message: string) {
  await deps.models.Customer.updateOne({ _id: customerId }, { $set: { 'portal.lastError': message, 'portal.lastErrorAt': new Date() } });
}

/**
 * Gives a customer a portal login in their WISP's Firebase Auth tenant, with server-set claims,
 * links it to the record and queues the branded welcome email with a set-password link. Safe to
 * repeat and to race: the link collection's unique keys decide, and a login this call created
 * but lost the race with is deleted again. `resend` queues a fresh welcome email for a login that
 * has not been used yet (staff pressing "Provision" again).
 */
export async function provisionCustomer(deps: PortalDeps, customerId: string, actor: Actor, { resend = false } = {}): Promise<AccessOutcome> {
  const ctx = await loadContext(deps, customerId);
  if (!ctx) return fail('Customer not found.');
  const { customer, tenant, auth } = ctx;
  const tenantId = String(customer.tenantId);
  const done = async (outcome: AccessOutcome) => {
    await audit(deps.models, {
      tenantId,
      customerId,
      actor,
      action: 'PROVISION',
      outcome: outcome.ok ? 'SUCCESS' : 'FAILURE',
      detail: outcome.ok ? outcome.message : outcome.message,
    });
    if (!outcome.ok) await recordFailure(deps, customerId, outcome.message);
    return outcome;
  };
  if (!customer.email) return done(fail('The customer has no email address.'));
  if (customer.portal?.status === 'REVOKED') return done(fail('Portal access is revoked; restore it instead.'));
  const email = customer.email;

  try {
    let uid: string;
    let created = false;
    const link = await deps.models.PortalLink.findById(customerId).lean();
    const linkedUser = link ? await getUser(auth, link.uid) : null;
    if (link && linkedUser) {
      uid = linkedUser.uid;
    } else {
      if (link) await deps.models.PortalLink.deleteOne({ _id: customerId, uid: link.uid });
      try {
        uid = (await auth.createUser({ email, emailVerified: false, displayName: customer.name })).uid;
        created = true;
      } catch (err) {
        if (authCode(err) !== 'auth/email-already-exists') throw err;
        const existing = await auth.getUserByEmail(email);
        const claims = existing.customClaims ?? {};
        if (claims.role && !(claims.role === Role.CUSTOMER && claims.customerId === customerId)) {
          return done(fail('This email already signs in to another account at this provider.'));
        }
        if (claims.role) {
          uid = existing.uid;
        } else {
          // A login without claims was made by a client, not by us: whoever made it knows its
          // password, and the email's owner may not be that person. Never hand it a customer.
          await auth.deleteUser(existing.uid);
          uid = (await auth.createUser({ email, emailVerified: false, displayName: customer.name })).uid;
          created = true;
        }
      }
      try {
        await deps.models.PortalLink.create({ _id: customerId, tenantId, uid });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const winner = await deps.models.PortalLink.findById(customerId).lean();
        if (winner?.uid !== uid) {
          if (created) await auth.deleteUser(uid).catch(() => undefined);
          if (winner) return done({ ok: true, message: 'Already provisioned.' });
          return done(fail('This email already signs in to another customer account.'));
        }
      }
    }
    await auth.setCustomUserClaims(uid, { ...claimsFor({ role: Role.CUSTOMER, tenantId, customerId }) });
    const now = new Date();
    const status: PortalStatus = customer.portal?.status === 'ACTIVE' ? 'ACTIVE' : 'INVITED';
    const changes = customer.portal?.status !== status || customer.portal?.email !== email;
    const updated = await updateCustomerWithEvents(
      deps,
      { _id: customerId, 'portal.status': { $ne: 'REVOKED' } },
      {
        $set: { portalUid: uid, 'portal.status': status, 'portal.email': email, 'portal.createdAt': customer.portal?.createdAt ?? now },
        $unset: { 'portal.lastError': 1, 'portal.lastErrorAt': 1 },
      },
      changes ? [portalAccessEvent({ _id: customerId, tenantId }, status, 'PROVISIONED')] : [],
    );
    if (updated.matchedCount === 0) return done(fail('Portal access was revoked meanwhile.'));
    const send = status === 'INVITED' && (created || resend || customer.portal?.status !== 'INVITED');
    if (send) {
      await queueSetPasswordEmail(deps, tenant, { ...customer, email }, auth, 'welcome', `portal-welcome:${customerId}:${uid}${resend ? `:${now.getTime()}` : ''}`);
    }
    return done({ ok: true, message: status === 'ACTIVE' ? 'The login is already in use.' : send ? 'Welcome email queued.' : 'Already invited.' });
  } catch (err) {
    const code = authCode(err);
    const message = code ? `Sign-in service error (${code}).` : 'The sign-in service could not be reached.';
    return done(fail(message, !PERMANENT_AUTH_ERRORS.has(code)));
  }
}

/** The customer's login, or why there is none to act on. */
async function linkedLogin(deps: PortalDeps, customerId: string) {
  const ctx = await loadContext(deps, customerId);
  if (!ctx) return { error: 'Customer not found.' } as const;
  const link = await deps.models.PortalLink.findById(customerId).lean();
  const user = link ? await getUser(ctx.auth, link.uid) : null;
  if (!user) return { error: 'This customer has no portal login yet.' } as const;
  return { ...ctx, user };
}

async function audited(deps: PortalDeps, customerId: string, tenantId: string, actor: Actor, action: Parameters<typeof audit>[1]['action'], run: () => Promise<AccessOutcome>) {
  let outcome: AccessOutcome;
  try {
    outcome = await run();
  } catch (err) {
    const code = authCode(err);
    outcome = fail(code ? `Sign-in service error (${code}).` : 'The sign-in service could not be reached.', true);
  }
  await audit(deps.models, { tenantId, customerId, actor, action, outcome: outcome.ok ? 'SUCCESS' : 'FAILURE', ...(outcome.ok ? {} : { detail: outcome.message }) });
  return outcome;
}

export async function sendPasswordReset(deps: PortalDeps, customerId: string, tenantId: string, actor: Actor): Promise<AccessOutcome> {
  return audited(deps, customerId, tenantId, actor, 'PASSWORD_RESET_SENT', async () => {
    const login = await linkedLogin(deps, customerId);
    if ('error' in login) return fail(login.error!);
    if (login.customer.portal?.status === 'REVOKED' || login.user.disabled) return fail('Portal access is revoked; restore it first.');
    if (!login.user.email) return fail('The login has no email address.');
    await queueSetPasswordEmail(deps, login.tenant, { ...login.customer, email: login.user.email }, login.auth, 'reset', `password-reset:${customerId}:${Date.now()}`);
    return { ok: true };
  });
}

export async function revokeAccess(deps: PortalDeps, customerId: string, tenantId: string, actor: Actor): Promise<AccessOutcome> {
  return audited(deps, customerId, tenantId, actor, 'REVOKE', async () => {
    const login = await linkedLogin(deps, customerId);
    if ('error' in login) return fail(login.error!);
    const current = login.customer.portal?.status ?? 'INVITED';
    // The record first: this subgraph refuses a revoked customer at once, whatever token they hold.
    await updateCustomerWithEvents(
      deps,
      { _id: customerId, tenantId },
      {
        $set: {
          'portal.status': 'REVOKED',
          'portal.revokedAt': new Date(),
          ...(current !== 'REVOKED' ? { 'portal.statusBeforeRevoke': current } : {}),
        },
      },
      current !== 'REVOKED' ? [portalAccessEvent({ _id: customerId, tenantId }, 'REVOKED', 'REVOKED')] : [],
    );
    await login.auth.updateUser(login.user.uid, { disabled: true });
    await login.auth.revokeRefreshTokens(login.user.uid);
    return { ok: true };
  });
}

export async function restoreAccess(deps: PortalDeps, customerId: string, tenantId: string, actor: Actor): Promise<AccessOutcome> {
  return audited(deps, customerId, tenantId, actor, 'RESTORE', async () => {
    const login = await linkedLogin(deps, customerId);
    if ('error' in login) return fail(login.error!);
    if (login.customer.portal?.status !== 'REVOKED') return fail('Portal access is not revoked.');
    await login.auth.updateUser(login.user.uid, { disabled: false });
    const back = login.customer.portal?.statusBeforeRevoke;
    const status: PortalStatus = back === 'ACTIVE' || login.customer.portal?.lastLoginAt ? 'ACTIVE' : 'INVITED';
    await updateCustomerWithEvents(
      deps,
      { _id: customerId, tenantId, 'portal.status': 'REVOKED' },
      { $set: { 'portal.status': status }, $unset: { 'portal.revokedAt': 1, 'portal.statusBeforeRevoke': 1 } },
      [portalAccessEvent({ _id: customerId, tenantId }, status, 'RESTORED')],
    );
    return { ok: true };
  });
}

/** Sets a fresh temporary password and returns it; it is kept nowhere but in Firebase's hash. */
export async function setTemporaryPassword(deps: PortalDeps, customerId: string, tenantId: string, actor: Actor): Promise<AccessOutcome & { password?: string }> {
  let password: string | undefined;
  const outcome = await audited(deps, customerId, tenantId, actor, 'TEMPORARY_PASSWORD_SET', async () => {
    const login = await linkedLogin(deps, customerId);
    if ('error' in login) return fail(login.error!);
    if (login.customer.portal?.status === 'REVOKED' || login.user.disabled) return fail('Portal access is revoked; restore it first.');
    const candidate = temporaryPassword();
    await login.auth.updateUser(login.user.uid, { password: candidate });
    password = candidate;
    return { ok: true };
  });
  return outcome.ok ? { ...outcome, password: password! } : outcome;
}

export async function createInvite(deps: PortalDeps, customerId: string, tenantId: string, actor: Actor): Promise<AccessOutcome & { code?: string; expiresAt?: Date }> {
  let result: { code: string; expiresAt: Date } | undefined;
  const outcome = await audited(deps, customerId, tenantId, actor, 'INVITE_CREATED', async () => {
    const link = await deps.models.PortalLink.findById(customerId).lean();
    if (link) return fail('This customer already has a portal login.');
    const code = inviteCode();
    const expiresAt = new Date(Date.now() + INVITE_TTL_MS);
    await deps.models.PortalInvite.create({ _id: inviteCodeHash(code), tenantId, customerId, createdBy: actor.uid, expiresAt });
    result = { code, expiresAt };
    return { ok: true };
  });
  return outcome.ok ? { ...outcome, ...result! } : outcome;
}
