import { AccountRole, badInput, claimsFor, codedError, ErrorCode, isDuplicateKey, renderBrandedEmail, Role, type Identity, type LinkedAccount, type TenantInfo } from '@wisp/shared';
import type { BaseAuth, UserRecord } from 'firebase-admin/auth';
import { customerEvent, updateCustomerWithEvents } from '../customerEvents.ts';
import { accountLinkId } from '../models/AccountLink.ts';
import { audit } from './audit.ts';
import { languageFor, t } from '../notifications/i18n.ts';
import type { PortalDeps } from './provisioning.ts';
import { setPasswordUrl } from './provisioning.ts';
import { portalBaseUrl } from './services.ts';
import { emailProblem, normaliseEmail, textProblem } from './validation.ts';

/** Most accounts one property manager is linked to in one request. */
export const MAX_MANAGED_PER_REQUEST = 200;

const authCode = (err: unknown) => String((err as { code?: string }).code ?? '');

/**
 * Every account a login may act for, as the gateway asks on each sign-in check: the account it
 * holds (the record its server-set claims name, or for a login without one, the record whose
 * portal link it is), then the accounts it was linked to, oldest first. A revoked holder's account
 * is left out.
 */
export async function accountsOfLogin(deps: Pick<PortalDeps, 'models'>, identity: Identity): Promise<LinkedAccount[]> {
  const { models } = deps;
  if (identity.role !== Role.CUSTOMER || !identity.tenantId) return [];
  const tenantId = identity.tenantId;
  const [own, links] = await Promise.all([
    identity.customerId ? null : models.PortalLink.findOne({ uid: identity.uid }).lean(),
    models.AccountLink.find({ uid: identity.uid, tenantId }).sort({ createdAt: 1, _id: 1 }).lean(),
  ]);
  const accounts: LinkedAccount[] = [];
  const holds = identity.customerId ?? (own && own.tenantId === tenantId ? own._id : null);
  if (holds) {
    // A record that is not (or no longer) there has nothing to show; a revoked holder acts for nothing.
    const customer = await models.Customer.findOne({ _id: holds, tenantId }, { portal: 1 }).lean();
    if (customer?.portal?.status !== 'REVOKED') accounts.push({ customerId: holds, role: AccountRole.OWNER });
  }
  for (const link of links) {
    if (!accounts.some((a) => a.customerId === link.customerId)) accounts.push({ customerId: link.customerId, role: link.role as LinkedAccount['role'] });
  }
  return accounts;
}

/** The customer login of `email` at the tenant, made if there is none; refuses staff logins. */
async function loginFor(auth: BaseAuth, tenantId: string, email: string, name: string | null): Promise<{ user: UserRecord; created: boolean }> {
  let existing: UserRecord | null = null;
  try {
    existing = await auth.getUserByEmail(email);
  } catch (err) {
    if (authCode(err) !== 'auth/user-not-found') throw err;
  }
  if (existing) {
    const claims = existing.customClaims ?? {};
    if (claims.role === Role.CUSTOMER && claims.tenantId === tenantId) return { user: existing, created: false };
    if (claims.role) throw badInput('This email belongs to a staff login; use another address.', 'email');
    // A login without claims was registered by a client, not by us: whoever made it knows its
    // password and may not own the address. It is replaced, never handed an account.
    await auth.deleteUser(existing.uid);
  }
  const user = await auth.createUser({ email, emailVerified: false, ...(name ? { displayName: name } : {}) });
  // A person of a household holds no account of their own: the links say what it may see.
  await auth.setCustomUserClaims(user.uid, { ...claimsFor({ role: Role.CUSTOMER, tenantId }) });
  return { user, created: true };
}

interface LinkRequest {
  tenant: TenantInfo;
  customer: { _id: unknown; tenantId: unknown; name: string; accountNumber: string };
  email: string;
  name: string | null;
  role: 'MEMBER' | 'MANAGER';
  by: Identity;
}

function checkPerson(input: { email?: string | null; name?: string | null }) {
  const email = normaliseEmail(input.email ?? '');
  const emailError = emailProblem(email);
  if (emailError) throw badInput(emailError, 'email');
  const name = input.name?.trim() || null;
  const nameError = name ? textProblem(name, 'Name', 120) : null;
  if (nameError) throw badInput(nameError, 'name');
  return { email, name };
}

/** Links the login of `email` (made when new) to one account; the same request again changes nothing. */
async function link(deps: PortalDeps, request: LinkRequest, user: UserRecord): Promise<{ linked: boolean }> {
  const { models } = deps;
  const customerId = String(request.customer._id);
  const tenantId = request.tenant.id;
  const _id = accountLinkId(customerId, user.uid);
  const holder = await models.PortalLink.findById(customerId).lean();
  if (holder?.uid === user.uid) throw badInput('This person already holds the account.', 'email');
  try {
    await models.AccountLink.create({ _id, tenantId, customerId, uid: user.uid, role: request.role, email: request.email, name: request.name, linkedBy: request.by.uid });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // Linked already: a property manager stays one; a member staff now link as manager becomes one.
    if (request.role === 'MANAGER') await models.AccountLink.updateOne({ _id, role: 'MEMBER' }, { $set: { role: 'MANAGER', linkedBy: request.by.uid } });
    return { linked: false };
  }
  await updateCustomerWithEvents(deps, { _id: customerId, tenantId }, { $set: { householdChangedAt: new Date() } }, [
    customerEvent({ _id: customerId, tenantId }, 'accountLink.changed', 'account_linked', { action: 'LINKED', role: request.role, uid: user.uid }),
  ]);
  await audit(models, { tenantId, customerId, actor: { uid: request.by.uid, role: request.by.role }, action: 'HOUSEHOLD_LINKED', outcome: 'SUCCESS', detail: `${request.role} ${request.email}` });
  return { linked: true };
}

/** The branded email telling a person they were given access: a set-password link for a new login. In the WISP's language. */
async function mailLinked(deps: PortalDeps, auth: BaseAuth, tenant: TenantInfo, email: string, created: boolean, accounts: { name: string; accountNumber: string }[], role: 'MEMBER' | 'MANAGER', inviter: string | null) {
  const lang = languageFor(tenant.branding.defaultLanguage);
  const how = created ? 'new' : 'existing';
  const words = { company: tenant.branding.companyName, email, inviter: inviter ?? tenant.branding.companyName, account: `${accounts[0]!.accountNumber} (${accounts[0]!.name})`, count: accounts.length };
  const url = created ? await setPasswordUrl(auth, tenant, email, 'welcome') : `${portalBaseUrl(tenant)}/`;
  const rendered = renderBrandedEmail(tenant, {
    subject: t(lang, `account-access.subject.${how}`, words),
    heading: t(lang, `account-access.heading.${how}`, words),
    paragraphs: [t(lang, role === 'MEMBER' ? 'account-access.member' : 'account-access.manager', words), t(lang, `account-access.how.${how}`, words)],
    action: { label: t(lang, `account-access.action.${how}`), url },
  });
  await deps.services.outbox.queue({ tenantId: tenant.id, to: email, ...rendered, kind: 'account-access', dedupeKey: `account-access:${email}:${accounts.map((a) => a.accountNumber).join(',')}:${role}` });
}

async function tenantOf(deps: PortalDeps, tenantId: string): Promise<TenantInfo> {
  const tenant = await deps.services.tenants.get(tenantId);
  if (!tenant) throw codedError(ErrorCode.INTERNAL, 'The provider could not be found just now; try again in a moment.', { retryable: true });
  return tenant;
}

/**
 * The account holder invites a person of their household by email: a new login with a
 * set-password link, or access for a login the person already has at this provider.
 */
export async function inviteHouseholdMember(deps: PortalDeps, by: Identity, customerId: string, input: { email?: string | null; name?: string | null }) {
  const { email, name } = checkPerson(input);
  const tenant = await tenantOf(deps, by.tenantId!);
  const customer = await deps.models.Customer.findOne({ _id: customerId, tenantId: tenant.id }).lean();
  if (!customer) throw codedError(ErrorCode.NOT_FOUND, 'Customer not found.');
  if (customer.portal?.email && normaliseEmail(customer.portal.email) === email) throw badInput('This is the account holder\'s own sign-in email.', 'email');
  const auth = deps.services.authFor(tenant);
  const { user, created } = await loginFor(auth, tenant.id, email, name);
  const { linked } = await link(deps, { tenant, customer, email, name, role: 'MEMBER', by }, user);
  if (linked) await mailLinked(deps, auth, tenant, email, created, [customer], 'MEMBER', customer.name);
  return personOf(await deps.models.AccountLink.findById(accountLinkId(customerId, user.uid)).lean());
}

/** Staff link a property manager (by email) to accounts of their tenant; every id must be one of them. */
export async function linkPropertyManager(deps: PortalDeps, by: Identity, input: { email?: string | null; name?: string | null; customerIds?: string[] | null }) {
  const { email, name } = checkPerson(input);
  const ids = [...new Set(input.customerIds ?? [])];
  if (ids.length === 0) throw badInput('Choose at least one account.', 'customerIds');
  if (ids.length > MAX_MANAGED_PER_REQUEST) throw badInput(`At most ${MAX_MANAGED_PER_REQUEST} accounts at once.`, 'customerIds');
  const tenant = await tenantOf(deps, by.tenantId!);
  const customers = await deps.models.Customer.find({ _id: { $in: ids.filter((id) => /^[0-9a-f]{24}$/i.test(id)) }, tenantId: tenant.id }).lean();
  if (customers.length !== ids.length) throw codedError(ErrorCode.NOT_FOUND, 'Customer not found.');
  const auth = deps.services.authFor(tenant);
  const { user, created } = await loginFor(auth, tenant.id, email, name);
  const newly = [];
  // Linked in the order staff listed them, so the manager's account list follows it.
  const byId = new Map(customers.map((c) => [String(c._id), c]));
  for (const customer of ids.map((id) => byId.get(id)!)) if ((await link(deps, { tenant, customer, email, name, role: 'MANAGER', by }, user)).linked) newly.push(customer);
  if (newly.length) await mailLinked(deps, auth, tenant, email, created, newly, 'MANAGER', null);
  const links = await deps.models.AccountLink.find({ uid: user.uid, tenantId: tenant.id, customerId: { $in: ids } }).lean();
  return { uid: user.uid, email, linkedCount: newly.length, people: links.map(personOf) };
}

/**
 * Ends one login's access to one account: the holder (or their property manager) removing a
 * member, a person leaving, or staff. The holder's own access is not a link and stays.
 */
export async function unlinkPerson(deps: PortalDeps, by: Identity, customerId: string, uid: string) {
  const { models } = deps;
  const row = await models.AccountLink.findById(accountLinkId(customerId, uid)).lean();
  if (!row || row.tenantId !== by.tenantId) throw codedError(ErrorCode.NOT_FOUND, 'This person has no access to the account.');
  if (by.role === Role.CUSTOMER && by.uid !== uid && row.role === 'MANAGER') throw codedError(ErrorCode.FORBIDDEN, 'Your provider linked the property manager; ask them to remove it.');
  const gone = await models.AccountLink.deleteOne({ _id: row._id });
  if (gone.deletedCount) {
    await updateCustomerWithEvents(deps, { _id: customerId, tenantId: row.tenantId }, { $set: { householdChangedAt: new Date() } }, [
      customerEvent({ _id: customerId, tenantId: row.tenantId }, 'accountLink.changed', 'account_unlinked', { action: 'UNLINKED', role: row.role as 'MEMBER' | 'MANAGER', uid }),
    ]);
    await audit(models, { tenantId: row.tenantId, customerId, actor: { uid: by.uid, role: by.role }, action: 'HOUSEHOLD_UNLINKED', outcome: 'SUCCESS', detail: `${row.role} ${row.email}` });
  }
  return true;
}

/** One person with access to an account, as the GraphQL `AccountPerson`. */
export function personOf(row: { uid: string; email: string; name?: string | null; role: string; createdAt?: Date | string | null; lastSignInAt?: Date | string | null } | null) {
  if (!row) return null;
  const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
  return { uid: row.uid, email: row.email, name: row.name ?? null, role: row.role, since: iso(row.createdAt) ?? new Date(0).toISOString(), lastSignInAt: iso(row.lastSignInAt) };
}

/** A login's links: its last sign-in is kept for the holder's list. */
export async function recordLinkedSignIn(deps: Pick<PortalDeps, 'models'>, identity: Identity) {
  if (identity.role !== Role.CUSTOMER || !identity.tenantId) return;
  await deps.models.AccountLink.updateMany({ uid: identity.uid, tenantId: identity.tenantId }, { $set: { lastSignInAt: new Date() } });
}

/**
 * A password reset for a person of a household (a login holding no account of its own): the link
 * goes to the login's own email. Whether there is such a login is never revealed to the asker.
 */
export async function sendLinkedPasswordReset(deps: PortalDeps, tenant: TenantInfo, user: UserRecord): Promise<void> {
  if (!user.email || !(await deps.models.AccountLink.exists({ uid: user.uid, tenantId: tenant.id }))) return;
  const auth = deps.services.authFor(tenant);
  const url = await setPasswordUrl(auth, tenant, user.email, 'reset');
  const lang = languageFor(tenant.branding.defaultLanguage);
  const words = { company: tenant.branding.companyName, email: user.email };
  const rendered = renderBrandedEmail(tenant, {
    subject: t(lang, 'account-reset.subject', words),
    heading: t(lang, 'account-reset.heading', words),
    paragraphs: [t(lang, 'account-reset.intro', words), t(lang, 'account-reset.ignore')],
    action: { label: t(lang, 'account-reset.action'), url },
  });
  await deps.services.outbox.queue({ tenantId: tenant.id, to: user.email, ...rendered, kind: 'password-reset', dedupeKey: `password-reset:${user.uid}:${Date.now()}` });
}
