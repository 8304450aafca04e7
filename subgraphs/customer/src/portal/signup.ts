import { portalAccessEvent, updateCustomerWithEvents } from '../customerEvents.ts';
import { sendLinkedPasswordReset } from './households.ts';
import { badInput, claimsFor, codedError, ErrorCode, isDuplicateKey, Role } from '@wisp/shared';
import type { BaseAuth } from 'firebase-admin/auth';
import { sendEmailVerification } from './accountSecurity.ts';
import { audit } from './audit.ts';
import { sendPasswordReset, type PortalDeps } from './provisioning.ts';
import { hit, SIGNUP_PER_ACCOUNT, SIGNUP_PER_CLIENT } from './rateLimit.ts';
import { accountNumberKey } from '../models/Customer.ts';
import { inviteCodeHash } from './secrets.ts';
import { emailProblem, normaliseEmail, passwordProblem, samePhone } from './validation.ts';

export interface SignUpInput {
  tenantSlug: string;
  accountNumber?: string | null;
  phone?: string | null;
  inviteCode?: string | null;
  email: string;
  password: string;
}

/**
 * Deletes a login that carries no claims (one a client registered by itself, which grants nothing
 * and whose password its maker knows), so the proven customer can take the email. False when the
 * login is one of ours.
 */
async function removeClaimlessLogin(auth: BaseAuth, email: string): Promise<boolean> {
  const existing = await auth.getUserByEmail(email);
  if (existing.customClaims?.role) return false;
  await auth.deleteUser(existing.uid);
  return true;
}

/** One answer for every failed proof, so guesses learn nothing about which part was wrong. */
const noMatch = () => badInput('We could not match those details to an account. Check them, or contact support.', 'proof');
const authCode = (err: unknown) => String((err as { code?: string }).code ?? '');

/**
 * Lets an existing customer create their own login. The proof (account number + phone, or an
 * unexpired invite code) is checked here, the Firebase user is created in the WISP's Firebase
 * Auth tenant with claims only the server sets, and the link collection's unique keys make sure
 * it belongs to exactly one record. Anything that fails after the user exists deletes it again.
 */
export async function signUpWithAccount(deps: PortalDeps, input: SignUpInput, clientAddress: string | null): Promise<{ ok: true; email: string }> {
  const email = normaliseEmail(input.email ?? '');
  const emailError = emailProblem(email);
  if (emailError) throw badInput(emailError, 'email');
  const passwordError = passwordProblem(input.password ?? '');
  if (passwordError) throw badInput(passwordError, 'password');
  const code = input.inviteCode?.trim() || null;
  const accountNumber = input.accountNumber?.trim() || null;
  const phone = input.phone?.trim() || null;
  if (!code && !(accountNumber && phone)) throw badInput('Enter your account number and phone number, or an invite code.', 'proof');
  if ((accountNumber && accountNumber.length > 32) || (phone && phone.length > 32) || (code && code.length > 32)) throw noMatch();

  const tenant = await deps.services.tenantBySlug(String(input.tenantSlug ?? '').toLowerCase());
  if (!tenant || tenant.status !== 'ACTIVE') throw noMatch();

  const accountKey = code ? `invite:${inviteCodeHash(code)}` : `account:${accountNumber!.toUpperCase()}`;
  const withinClient = await hit(deps.models, `signup:client:${clientAddress ?? 'unknown'}`, SIGNUP_PER_CLIENT);
  const withinAccount = await hit(deps.models, `signup:${tenant.id}:${accountKey}`, SIGNUP_PER_ACCOUNT);
  if (!withinClient || !withinAccount) {
    throw codedError(ErrorCode.RATE_LIMITED, 'Too many attempts. Please wait 15 minutes and try again.');
  }

  let customerId: string;
  let inviteId: string | null = null;
  if (code) {
    const invite = await deps.models.PortalInvite.findById(inviteCodeHash(code)).lean();
    if (!invite || invite.tenantId !== tenant.id || invite.usedAt) throw noMatch();
    if (invite.expiresAt.getTime() <= Date.now()) throw badInput('This invite code has expired. Ask us for a new one.', 'inviteCode');
    customerId = invite.customerId;
    inviteId = invite._id;
  } else {
    const customer = await deps.models.Customer.findOne({
      tenantId: tenant.id,
      accountNumberKey: accountNumberKey(accountNumber!),
    }).lean();
    if (!customer?.phone || !samePhone(customer.phone, phone!)) throw noMatch();
    customerId = String(customer._id);
  }
  const customer = await deps.models.Customer.findOne({ _id: customerId, tenantId: tenant.id }).lean();
  if (!customer) throw noMatch();
  // Only the email staff put on the record is trusted; one chosen here must be confirmed first.
  const emailVerified = !!customer.email && normaliseEmail(customer.email) === email;
  if (customer.portal?.status === 'REVOKED') throw codedError(ErrorCode.FORBIDDEN, 'Portal access for this account is disabled. Please contact support.');
  if (await deps.models.PortalLink.exists({ _id: customerId })) {
    throw codedError(ErrorCode.CONFLICT, 'This account already has a portal login. Sign in, or use "Forgot password".');
  }

  const auth = deps.services.authFor(tenant);
  let uid: string;
  try {
    uid = (await auth.createUser({ email, password: input.password, displayName: customer.name })).uid;
  } catch (err) {
    if (authCode(err) === 'auth/email-already-exists' && (await removeClaimlessLogin(auth, email))) {
      uid = (await auth.createUser({ email, password: input.password, displayName: customer.name })).uid;
    } else if (authCode(err) === 'auth/email-already-exists') {
      throw codedError(ErrorCode.CONFLICT, 'This email already has a login here. Sign in, or use "Forgot password".', { field: 'email' });
    } else if (authCode(err) === 'auth/invalid-password') {
      throw badInput('Choose a longer password.', 'password');
    } else if (authCode(err) === 'auth/invalid-email') {
      throw badInput('Enter a valid email address.', 'email');
    } else {
      throw err;
    }
  }
  const undo = async () => {
    await auth.deleteUser(uid).catch(() => undefined);
  };
  try {
    await deps.models.PortalLink.create({ _id: customerId, tenantId: tenant.id, uid });
  } catch (err) {
    await undo();
    if (isDuplicateKey(err)) {
      throw codedError(ErrorCode.CONFLICT, 'This account already has a portal login. Sign in, or use "Forgot password".');
    }
    throw err;
  }
  try {
    await auth.setCustomUserClaims(uid, { ...claimsFor({ role: Role.CUSTOMER, tenantId: tenant.id, customerId }) });
    if (inviteId) {
      // Single use: only the first sign-up to mark the code gets to keep its login.
      const used = await deps.models.PortalInvite.updateOne({ _id: inviteId, usedAt: null }, { $set: { usedAt: new Date() } });
      if (used.modifiedCount !== 1) throw noMatch();
    }
    await updateCustomerWithEvents(
      deps,
      { _id: customerId },
      { $set: { portalUid: uid, 'portal.status': 'INVITED', 'portal.email': email, 'portal.emailVerified': emailVerified, 'portal.createdAt': new Date() }, $unset: { 'portal.lastError': 1, 'portal.lastErrorAt': 1 } },
      [portalAccessEvent({ _id: customerId, tenantId: tenant.id }, 'INVITED', 'SIGNED_UP')],
    );
  } catch (err) {
    await deps.models.PortalLink.deleteOne({ _id: customerId, uid });
    await undo();
    throw err;
  }
  if (!emailVerified) await sendEmailVerification(deps, tenant, customerId, email);
  await audit(deps.models, {
    tenantId: tenant.id,
    customerId,
    actor: { uid, role: Role.CUSTOMER },
    action: 'SELF_SIGNUP',
    outcome: 'SUCCESS',
    detail: code ? 'invite code' : 'account number and phone',
  });
  return { ok: true, email };
}

/**
 * A customer who forgot their password asks for a link. The answer is the same whether or not the
 * email has a login here; the email itself is branded and points to the WISP's own portal.
 */
export async function requestPasswordReset(deps: PortalDeps, input: { tenantSlug: string; email: string }, clientAddress: string | null): Promise<{ ok: true }> {
  const email = normaliseEmail(input.email ?? '');
  const emailError = emailProblem(email);
  if (emailError) throw badInput(emailError, 'email');
  const withinClient = await hit(deps.models, `reset:client:${clientAddress ?? 'unknown'}`, SIGNUP_PER_CLIENT);
  const withinEmail = await hit(deps.models, `reset:email:${email}`, SIGNUP_PER_ACCOUNT);
  if (!withinClient || !withinEmail) throw codedError(ErrorCode.RATE_LIMITED, 'Too many requests. Please wait 15 minutes and try again.');
  const tenant = await deps.services.tenantBySlug(String(input.tenantSlug ?? '').toLowerCase());
  if (!tenant || tenant.status !== 'ACTIVE') return { ok: true };
  // The login's email decides (it may differ from the record's contact email).
  let user;
  try {
    user = await deps.services.authFor(tenant).getUserByEmail(email);
  } catch (err) {
    if (authCode(err) === 'auth/user-not-found') return { ok: true };
    throw err;
  }
  const claims = user.customClaims ?? {};
  const customerId = typeof claims.customerId === 'string' ? claims.customerId : null;
  if (claims.role !== Role.CUSTOMER || claims.tenantId !== tenant.id || user.disabled) return { ok: true };
  const link = customerId ? await deps.models.PortalLink.findById(customerId).lean() : null;
  // A person of a household or a property manager holds no account: the reset goes to their login's email.
  if (link?.uid !== user.uid || link.tenantId !== tenant.id || !customerId) {
    await sendLinkedPasswordReset(deps, tenant, user);
    return { ok: true };
  }
  await sendPasswordReset(deps, customerId, tenant.id, { uid: user.uid, role: Role.CUSTOMER });
  return { ok: true };
}
