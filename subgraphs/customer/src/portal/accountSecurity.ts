import { portalAccessEvent, updateCustomerWithEvents } from '../customerEvents.ts';
import { createHash, randomBytes } from 'node:crypto';
import { auditContext, badInput, codedError, ErrorCode, forbidden, isStaff, renderBrandedEmail, Role, unauthenticated, type Identity, type TenantInfo } from '@wisp/shared';
import type { BaseAuth } from 'firebase-admin/auth';
import { Secret, TOTP } from 'otpauth';
import type { Context } from '../context.ts';
import type { PortalDeps } from './provisioning.ts';
import { hit, type Limit } from './rateLimit.ts';
import { portalBaseUrl } from './services.ts';
import { decryptSecret, encryptSecret } from './totpSecret.ts';
import { emailProblem, normaliseEmail, passwordProblem } from './validation.ts';

/** Failed sign-ins per email at one WISP before it is locked. @default 5 per 15 minutes */
export const SIGN_IN_FAILURES: Limit = { max: 5, windowMs: 15 * 60_000 };
/** Second-factor codes tried per login. @default 5 per 15 minutes */
export const SECOND_FACTOR_ATTEMPTS: Limit = { max: 5, windowMs: 15 * 60_000 };
/** Sign-in failure reports one client address may make. @default 50 per 15 minutes */
export const FAILURE_REPORTS_PER_CLIENT: Limit = { max: 50, windowMs: 15 * 60_000 };
/** How long a passed second factor lasts for one browser. @default 12 hours */
export const SECOND_FACTOR_SESSION_MS = 12 * 3_600_000;
/** How long an email verification link works. @default 3 days */
export const EMAIL_VERIFICATION_TTL_MS = 3 * 24 * 3_600_000;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const authCode = (err: unknown) => String((err as { code?: string }).code ?? '');
const tooMany = (message = 'Too many attempts. Please wait 15 minutes and try again.') => codedError(ErrorCode.RATE_LIMITED, message);

/** The signed-in caller with a tenant (customers and staff; platform operators have no portal account). */
function caller(ctx: Context): Identity & { tenantId: string } {
  const { identity } = ctx;
  if (!identity) throw unauthenticated();
  if (!identity.tenantId || !(identity.role === Role.CUSTOMER || isStaff(identity))) throw forbidden('This login has no portal account to secure.');
  return identity as Identity & { tenantId: string };
}

async function tenantOf(ctx: Context, tenantId: string): Promise<TenantInfo> {
  const tenant = await ctx.models.services.tenants.get(tenantId);
  if (!tenant) throw unauthenticated();
  return tenant;
}

async function securityAudit(ctx: Context, tenantId: string, action: string, outcome: 'SUCCESS' | 'FAILURE', target: { uid: string }, detail?: string) {
  await ctx.audit.write({ tenantId, category: 'ACCOUNT_SECURITY', action, outcome, target: { type: 'LOGIN', id: target.uid }, detail: detail ?? null, ...auditContext(ctx) });
}

const EVENT_TEXT: Record<string, { subject: string; line: string }> = {
  PASSWORD_CHANGED: { subject: 'Your password was changed', line: 'The password of your account was changed.' },
  FACTOR_ADDED: { subject: 'Two-step sign-in was turned on', line: 'An authenticator app was added to your account; signing in now also asks for its code.' },
  FACTOR_REMOVED: { subject: 'Two-step sign-in was turned off', line: 'The authenticator app was removed from your account; signing in no longer asks for a code.' },
  SIGNED_OUT_EVERYWHERE: { subject: 'You were signed out everywhere', line: 'Your account was signed out on every device.' },
  NEW_DEVICE: { subject: 'New sign-in to your account', line: 'Your account was just signed in to from a browser or device it had not been used on before.' },
  SIGN_IN_LOCKED: { subject: 'Sign-in to your account was paused', line: 'There were several failed attempts to sign in to your account, so signing in is paused for 15 minutes.' },
};

/** Mails the account holder about a change to their account's security, in the WISP's branding. */
async function mailSecurityEvent(ctx: Context, tenant: TenantInfo, email: string | null | undefined, event: keyof typeof EVENT_TEXT, dedupe: string) {
  if (!email) return;
  const text = EVENT_TEXT[event]!;
  const when = new Date().toUTCString();
  const rendered = renderBrandedEmail(tenant, {
    subject: `${text.subject} (${tenant.branding.companyName})`,
    heading: text.subject,
    paragraphs: [
      `${text.line} (${when}${ctx.userAgent ? `, ${ctx.userAgent.slice(0, 120)}` : ''})`,
      `If this was not you, reset your password from the sign-in page and contact ${tenant.branding.companyName} support.`,
    ],
    action: { label: 'Review your account', url: `${portalBaseUrl(tenant)}/account/settings` },
  });
  await ctx.models.services.outbox.queue({ tenantId: tenant.id, to: email, ...rendered, kind: `security-${event.toLowerCase().replace(/_/g, '-')}`, dedupeKey: `security:${dedupe}` });
}

/** Firebase's REST sign-in, which checks a password without creating anything. */
async function passwordMatches(tenant: TenantInfo, email: string, password: string): Promise<{ ok: true; uid: string } | { ok: false; reason: string }> {
  const emulator = process.env.FIREBASE_AUTH_EMULATOR_HOST;
  const key = process.env.FIREBASE_API_KEY ?? (emulator ? 'emulator' : '');
  if (!key) throw new Error('FIREBASE_API_KEY must be set to check passwords.');
  const base = emulator ? `http://${emulator}/identitytoolkit.googleapis.com` : 'https://identitytoolkit.googleapis.com';
  const res = await fetch(`${base}/v1/accounts:signInWithPassword?key=${encodeURIComponent(key)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, returnSecureToken: false, ...(tenant.authTenantId ? { tenantId: tenant.authTenantId } : {}) }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json().catch(() => ({}))) as { localId?: string; error?: { message?: string } };
  if (res.ok && body.localId) return { ok: true, uid: body.localId };
  return { ok: false, reason: body.error?.message ?? `HTTP ${res.status}` };
}

/** Whether sign-in for `email` at the tenant is paused after too many failures. */
async function isLocked(ctx: Context, tenantId: string, email: string): Promise<boolean> {
  const since = new Date(Date.now() - SIGN_IN_FAILURES.windowMs);
  const failures = await ctx.models.RateLimitHit.countDocuments({ key: `signin:${tenantId}:${email}`, at: { $gt: since } });
  return failures >= SIGN_IN_FAILURES.max;
}

/** Counts one failed sign-in; the one that reaches the limit locks the account, audits and mails it. */
async function countFailure(ctx: Context, tenant: TenantInfo, email: string): Promise<boolean> {
  const within = await hit(ctx.models, `signin:${tenant.id}:${email}`, SIGN_IN_FAILURES);
  if (within && !(await isLocked(ctx, tenant.id, email))) return false;
  const since = new Date(Date.now() - SIGN_IN_FAILURES.windowMs);
  const count = await ctx.models.RateLimitHit.countDocuments({ key: `signin:${tenant.id}:${email}`, at: { $gt: since } });
  if (count === SIGN_IN_FAILURES.max) {
    let uid: string | null = null;
    try {
      uid = (await ctx.models.services.authFor(tenant).getUserByEmail(email)).uid;
    } catch {
      // An unknown email is locked all the same: the answer must not tell which emails have logins.
    }
    await ctx.audit.write({ tenantId: tenant.id, category: 'ACCOUNT_SECURITY', action: 'SIGN_IN_LOCKED', outcome: 'FAILURE', target: { type: 'LOGIN', id: uid }, detail: `${count} failed sign-ins for ${email}`, ...auditContext(ctx) });
    if (uid) await mailSecurityEvent(ctx, tenant, email, 'SIGN_IN_LOCKED', `locked:${uid}:${Math.floor(Date.now() / SIGN_IN_FAILURES.windowMs)}`);
  }
  return true;
}

/** Public: the sign-in form reports a refused password here; the answer says whether sign-in is now paused. */
export async function reportSignInFailure(ctx: Context, input: { tenantSlug: string; email: string }) {
  const email = normaliseEmail(input.email ?? '');
  if (emailProblem(email)) throw badInput('Enter a valid email address.', 'email');
  if (!(await hit(ctx.models, `signin-report:${ctx.clientAddress ?? 'unknown'}`, FAILURE_REPORTS_PER_CLIENT))) throw tooMany();
  const tenant = await ctx.models.services.tenantBySlug(String(input.tenantSlug ?? '').toLowerCase());
  if (!tenant || tenant.status !== 'ACTIVE') return { locked: false, retryAfterSeconds: null };
  const locked = await countFailure(ctx, tenant, email);
  return { locked, retryAfterSeconds: locked ? SIGN_IN_FAILURES.windowMs / 1000 : null };
}

/** Public: asked by the sign-in form before it signs in, so a paused account is not tried at all. */
export async function signInLockout(ctx: Context, input: { tenantSlug: string; email: string }) {
  const email = normaliseEmail(input.email ?? '');
  const tenant = await ctx.models.services.tenantBySlug(String(input.tenantSlug ?? '').toLowerCase());
  if (!tenant || emailProblem(email)) return { locked: false, retryAfterSeconds: null };
  const locked = await isLocked(ctx, tenant.id, email);
  return { locked, retryAfterSeconds: locked ? SIGN_IN_FAILURES.windowMs / 1000 : null };
}

/**
 * Called by the portal right after a sign-in. A paused account's fresh session is ended at once
 * (signing in around the form does not escape the lock); a browser not seen before is mailed about.
 */
export async function checkSignIn(ctx: Context): Promise<void> {
  const identity = caller(ctx);
  const tenant = await tenantOf(ctx, identity.tenantId);
  const auth = ctx.models.services.authFor(tenant);
  const user = await auth.getUser(identity.uid);
  const email = user.email ? normaliseEmail(user.email) : null;
  if (email && (await isLocked(ctx, tenant.id, email))) {
    await auth.revokeRefreshTokens(identity.uid);
    await securityAudit(ctx, tenant.id, 'SIGN_IN_REFUSED_LOCKED', 'FAILURE', identity);
    throw tooMany('Signing in to this account is paused after several failed attempts. Please wait 15 minutes.');
  }
  const device = `${identity.uid}:${sha256(ctx.userAgent ?? 'unknown')}`;
  const seenBefore = await ctx.models.KnownDevice.exists({ uid: identity.uid });
  const inserted = await ctx.models.KnownDevice.updateOne({ _id: device }, { $setOnInsert: { uid: identity.uid, firstSeenAt: new Date() } }, { upsert: true });
  if (inserted.upsertedCount === 1 && seenBefore) {
    await securityAudit(ctx, tenant.id, 'NEW_DEVICE', 'SUCCESS', identity);
    await mailSecurityEvent(ctx, tenant, email, 'NEW_DEVICE', `device:${device}`);
  }
}

/** Changes the caller's own password after checking the current one; other sessions end. */
export async function changePassword(ctx: Context, input: { currentPassword: string; newPassword: string }) {
  const identity = caller(ctx);
  const problem = passwordProblem(input.newPassword ?? '');
  if (problem) throw badInput(problem, 'newPassword');
  if (typeof input.currentPassword !== 'string' || input.currentPassword.length === 0 || input.currentPassword.length > 200) throw badInput('Enter your current password.', 'currentPassword');
  const tenant = await tenantOf(ctx, identity.tenantId);
  const auth = ctx.models.services.authFor(tenant);
  const user = await auth.getUser(identity.uid);
  if (!user.email) throw badInput('This login has no password to change.', 'currentPassword');
  const email = normaliseEmail(user.email);
  if (await isLocked(ctx, tenant.id, email)) throw tooMany();
  const check = await passwordMatches(tenant, email, input.currentPassword);
  if (!check.ok || check.uid !== identity.uid) {
    await countFailure(ctx, tenant, email);
    await securityAudit(ctx, tenant.id, 'PASSWORD_CHANGE', 'FAILURE', identity, 'current password wrong');
    throw badInput('Your current password is not right.', 'currentPassword');
  }
  try {
    await auth.updateUser(identity.uid, { password: input.newPassword });
  } catch (err) {
    if (authCode(err) === 'auth/invalid-password') throw badInput('Choose a longer password.', 'newPassword');
    throw err;
  }
  // Whoever knew the old password is signed out; the portal signs in again with the new one.
  await auth.revokeRefreshTokens(identity.uid);
  await ctx.models.SecondFactorSession.deleteMany({ uid: identity.uid });
  await securityAudit(ctx, tenant.id, 'PASSWORD_CHANGED', 'SUCCESS', identity);
  await mailSecurityEvent(ctx, tenant, email, 'PASSWORD_CHANGED', `password:${identity.uid}:${Date.now()}`);
  return { ok: true };
}

/** Ends every session of the caller's login (refresh tokens revoked; the gateway notices within 30 s). */
export async function signOutEverywhere(ctx: Context) {
  const identity = caller(ctx);
  const tenant = await tenantOf(ctx, identity.tenantId);
  const auth = ctx.models.services.authFor(tenant);
  await auth.revokeRefreshTokens(identity.uid);
  await ctx.models.SecondFactorSession.deleteMany({ uid: identity.uid });
  const user = await auth.getUser(identity.uid);
  await securityAudit(ctx, tenant.id, 'SIGNED_OUT_EVERYWHERE', 'SUCCESS', identity);
  await mailSecurityEvent(ctx, tenant, user.email, 'SIGNED_OUT_EVERYWHERE', `signout:${identity.uid}:${Date.now()}`);
  return { ok: true };
}

const factorId = (identity: Identity & { tenantId: string }) => `${identity.tenantId}:${identity.uid}`;

function totpFor(secret: string, tenant: TenantInfo, label: string) {
  return new TOTP({ issuer: tenant.branding.companyName, label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) });
}

/**
 * Checks a code against the caller's factor, rate limited per login. A code is accepted once
 * (its time step must be later than the last accepted one), so an overheard code cannot be replayed.
 */
async function acceptCode(ctx: Context, identity: Identity & { tenantId: string }, code: string, { confirmed }: { confirmed: boolean }): Promise<boolean> {
  if (!(await hit(ctx.models, `totp:${identity.tenantId}:${identity.uid}`, SECOND_FACTOR_ATTEMPTS))) {
    await securityAudit(ctx, identity.tenantId, 'SECOND_FACTOR_RATE_LIMITED', 'FAILURE', identity);
    throw tooMany('Too many codes tried. Please wait 15 minutes and try again.');
  }
  const factor = await ctx.models.SecondFactor.findOne({ _id: factorId(identity), confirmedAt: confirmed ? { $ne: null } : null }).lean();
  if (!factor || typeof code !== 'string' || !/^\d{6}$/.test(code.trim())) return false;
  const tenant = await tenantOf(ctx, identity.tenantId);
  const totp = totpFor(decryptSecret(factor.secret), tenant, identity.uid);
  const delta = totp.validate({ token: code.trim(), window: 1 });
  if (delta === null) return false;
  const step = Math.floor(Date.now() / 30_000) + delta;
  const used = await ctx.models.SecondFactor.updateOne({ _id: factor._id, lastStep: { $lt: step } }, { $set: { lastStep: step } });
  return used.modifiedCount === 1;
}

async function newSession(ctx: Context, identity: Identity & { tenantId: string }) {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + SECOND_FACTOR_SESSION_MS);
  await ctx.models.SecondFactorSession.create({ _id: sha256(token), tenantId: identity.tenantId, uid: identity.uid, expiresAt });
  return { token, expiresAt: expiresAt.toISOString() };
}

/** Starts (or restarts) enrolment: a new secret, shown once, that becomes active when a code from it is confirmed. */
export async function beginTotpEnrolment(ctx: Context) {
  const identity = caller(ctx);
  if (await ctx.models.SecondFactor.exists({ _id: factorId(identity), confirmedAt: { $ne: null } })) {
    throw codedError(ErrorCode.CONFLICT, 'An authenticator app is already set up. Remove it first to set up another.');
  }
  const tenant = await tenantOf(ctx, identity.tenantId);
  const user = await ctx.models.services.authFor(tenant).getUser(identity.uid);
  const secret = new Secret({ size: 20 }).base32;
  await ctx.models.SecondFactor.updateOne(
    { _id: factorId(identity), confirmedAt: null },
    { $set: { tenantId: identity.tenantId, uid: identity.uid, secret: encryptSecret(secret), lastStep: -1, createdAt: new Date() } },
    { upsert: true },
  );
  return { secret, otpauthUri: totpFor(secret, tenant, user.email ?? identity.uid).toString() };
}

/** Confirms enrolment with a code from the app; the browser that confirms is signed in with the factor. */
export async function confirmTotpEnrolment(ctx: Context, code: string) {
  const identity = caller(ctx);
  if (!(await acceptCode(ctx, identity, code, { confirmed: false }))) {
    await securityAudit(ctx, identity.tenantId, 'FACTOR_ADD', 'FAILURE', identity, 'wrong code');
    throw badInput('That code is not right. Check the time on your phone and try the newest code.', 'code');
  }
  const done = await ctx.models.SecondFactor.updateOne({ _id: factorId(identity), confirmedAt: null }, { $set: { confirmedAt: new Date() } });
  if (done.modifiedCount !== 1) throw codedError(ErrorCode.CONFLICT, 'This authenticator app is already set up.');
  const tenant = await tenantOf(ctx, identity.tenantId);
  const user = await ctx.models.services.authFor(tenant).getUser(identity.uid);
  await securityAudit(ctx, identity.tenantId, 'FACTOR_ADDED', 'SUCCESS', identity);
  await mailSecurityEvent(ctx, tenant, user.email, 'FACTOR_ADDED', `factor-added:${identity.uid}:${Date.now()}`);
  return { ok: true, session: await newSession(ctx, identity) };
}

/** Removes the caller's factor; a current code is required, so a borrowed session cannot do it. */
export async function removeTotp(ctx: Context, code: string) {
  const identity = caller(ctx);
  if (!(await ctx.models.SecondFactor.exists({ _id: factorId(identity), confirmedAt: { $ne: null } }))) throw badInput('No authenticator app is set up.', 'code');
  if (await staffMustUseFactor(ctx, identity)) throw forbidden('Your organisation requires two-step sign-in for staff.');
  if (!(await acceptCode(ctx, identity, code, { confirmed: true }))) {
    await securityAudit(ctx, identity.tenantId, 'FACTOR_REMOVE', 'FAILURE', identity, 'wrong code');
    throw badInput('That code is not right.', 'code');
  }
  await ctx.models.SecondFactor.deleteOne({ _id: factorId(identity) });
  await ctx.models.SecondFactorSession.deleteMany({ uid: identity.uid });
  const tenant = await tenantOf(ctx, identity.tenantId);
  const user = await ctx.models.services.authFor(tenant).getUser(identity.uid);
  await securityAudit(ctx, identity.tenantId, 'FACTOR_REMOVED', 'SUCCESS', identity);
  await mailSecurityEvent(ctx, tenant, user.email, 'FACTOR_REMOVED', `factor-removed:${identity.uid}:${Date.now()}`);
  return { ok: true };
}

/** The sign-in step after the password: a code from the app gives this browser a second-factor session. */
export async function verifySecondFactor(ctx: Context, code: string) {
  const identity = caller(ctx);
  if (!(await acceptCode(ctx, identity, code, { confirmed: true }))) {
    await securityAudit(ctx, identity.tenantId, 'SECOND_FACTOR', 'FAILURE', identity, 'wrong code');
    throw badInput('That code is not right.', 'code');
  }
  await securityAudit(ctx, identity.tenantId, 'SECOND_FACTOR', 'SUCCESS', identity);
  return newSession(ctx, identity);
}

async function staffMustUseFactor(ctx: Context, identity: Identity & { tenantId: string }): Promise<boolean> {
  if (!isStaff(identity)) return false;
  const policy = await ctx.models.SecurityPolicy.findById(identity.tenantId).lean();
  return !!policy?.staffSecondFactorRequired;
}

/**
 * What a login must show beyond its password: `required` when it has a factor (or is staff of a
 * tenant that requires one), `satisfied` when `sessionToken` is a live second-factor session of it.
 * The gateway asks this for every signed-in request (see gateway/src/secondFactor.ts).
 */
export async function secondFactorState(models: Context['models'], identity: Identity, sessionToken: string | null) {
  if (!identity.tenantId) return { required: false, enrolled: false, satisfied: true };
  const id = `${identity.tenantId}:${identity.uid}`;
  const [factor, policy] = await Promise.all([
    models.SecondFactor.exists({ _id: id, confirmedAt: { $ne: null } }),
    isStaff(identity) ? models.SecurityPolicy.findById(identity.tenantId).lean() : null,
  ]);
  const enrolled = !!factor;
  const required = enrolled || !!policy?.staffSecondFactorRequired;
  if (!required) return { required, enrolled, satisfied: true };
  const session = sessionToken && sessionToken.length <= 100
    ? await models.SecondFactorSession.findOne({ _id: sha256(sessionToken), uid: identity.uid, tenantId: identity.tenantId, expiresAt: { $gt: new Date() } }).lean()
    : null;
  return { required, enrolled, satisfied: !!session && enrolled };
}

/** The caller's account-security state, for the settings page. */
export async function accountSecurity(ctx: Context) {
  const identity = caller(ctx);
  const [factor, policy] = await Promise.all([
    ctx.models.SecondFactor.exists({ _id: factorId(identity), confirmedAt: { $ne: null } }),
    ctx.models.SecurityPolicy.findById(identity.tenantId).lean(),
  ]);
  const customer = identity.customerId ? await ctx.models.Customer.findOne({ _id: identity.customerId, tenantId: identity.tenantId }).lean() : null;
  return {
    totpEnabled: !!factor,
    secondFactorRequired: !!factor || (isStaff(identity) && !!policy?.staffSecondFactorRequired),
    staffSecondFactorRequired: !!policy?.staffSecondFactorRequired,
    emailVerified: customer ? customer.portal?.emailVerified !== false : null,
  };
}

/** Tenant admins: whether the tenant's staff must use a second factor. */
export async function setStaffSecondFactorPolicy(ctx: Context, required: boolean) {
  const identity = caller(ctx);
  if (identity.role !== Role.TENANT_ADMIN) throw forbidden('Only tenant admins can change the security policy.');
  await ctx.models.SecurityPolicy.updateOne({ _id: identity.tenantId }, { $set: { staffSecondFactorRequired: !!required } }, { upsert: true });
  return accountSecurity(ctx);
}

/** Queues the link that confirms a self-chosen sign-up email. */
export async function sendEmailVerification(deps: PortalDeps, tenant: TenantInfo, customerId: string, email: string) {
  const token = randomBytes(32).toString('base64url');
  await deps.models.EmailVerification.create({ _id: sha256(token), tenantId: tenant.id, customerId, email, expiresAt: new Date(Date.now() + EMAIL_VERIFICATION_TTL_MS) });
  const rendered = renderBrandedEmail(tenant, {
    subject: `Confirm your email for ${tenant.branding.companyName}`,
    heading: 'Confirm your email',
    paragraphs: [
      `You created a ${tenant.branding.companyName} customer portal login with this email. Confirm it, so we can send you updates about your tickets.`,
      'If this was not you, ignore this email and contact support: nothing about your account will be sent here.',
    ],
    action: { label: 'Confirm my email', url: `${portalBaseUrl(tenant)}/verify-email?token=${token}` },
  });
  await deps.services.outbox.queue({ tenantId: tenant.id, to: email, ...rendered, kind: 'email-verification', dedupeKey: `verify:${sha256(token)}` });
}

/** Public: the link from the verification email. Single use; answers false for a used, expired or unknown link. */
export async function verifyEmail(ctx: Context, token: string): Promise<boolean> {
  if (typeof token !== 'string' || token.length < 20 || token.length > 100) return false;
  const row = await ctx.models.EmailVerification.findOneAndUpdate(
    { _id: sha256(token), usedAt: null, expiresAt: { $gt: new Date() } },
    { $set: { usedAt: new Date() } },
    { new: true },
  ).lean();
  if (!row) return false;
  const current = await ctx.models.Customer.findOne({ _id: row.customerId, tenantId: row.tenantId }, { portal: 1 }).lean();
  const updated = await updateCustomerWithEvents(
    { models: ctx.models, services: ctx.models.services },
    { _id: row.customerId, tenantId: row.tenantId, 'portal.email': row.email },
    { $set: { 'portal.emailVerified': true } },
    [portalAccessEvent({ _id: row.customerId, tenantId: row.tenantId }, current?.portal?.status ?? 'NONE', 'EMAIL_CONFIRMED')],
  );
  if (updated.matchedCount !== 1) return false;
  const tenant = await ctx.models.services.tenants.get(row.tenantId);
  const customer = await ctx.models.Customer.findById(row.customerId).lean();
  if (tenant && customer?.portalUid) {
    await (ctx.models.services.authFor(tenant) as BaseAuth).updateUser(customer.portalUid, { emailVerified: true }).catch(() => undefined);
  }
  await ctx.audit.write({ tenantId: row.tenantId, category: 'ACCOUNT_SECURITY', action: 'EMAIL_VERIFIED', outcome: 'SUCCESS', target: { type: 'CUSTOMER', id: row.customerId }, ...auditContext(ctx) });
  return true;
}
