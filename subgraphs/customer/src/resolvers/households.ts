import { AccountRole, accountsOf, actingRole, codedError, ErrorCode, forbidden, isObjectId, isStaff, linkTo, notFound, Role, unauthenticated, type Identity } from '@wisp/shared';
import type { Types } from 'mongoose';
import type { Context } from '../context.ts';
import { inviteHouseholdMember, linkPropertyManager, personOf, unlinkPerson } from '../portal/households.ts';
import type { PortalDeps } from '../portal/provisioning.ts';
import { ACCESS_ROLES, staffTenant } from './access.ts';

const deps = (ctx: Context): PortalDeps => ({ models: ctx.models, services: ctx.models.services });

/** Whether the caller may see who can sign in to the account: staff of its tenant, its holder and its property manager. */
function maySeePeople(identity: Identity | null, customer: { _id: Types.ObjectId; tenantId: Types.ObjectId }): boolean {
  if (!identity) return false;
  if (identity.role === Role.PLATFORM_OPERATOR) return true;
  if (identity.tenantId !== String(customer.tenantId)) return false;
  if (identity.role === Role.CUSTOMER) {
    const role = linkTo(identity, String(customer._id))?.role;
    return role === AccountRole.OWNER || role === AccountRole.MANAGER;
  }
  return isStaff(identity) && identity.role !== Role.INTEGRATOR;
}

export const householdViewerFields = {
  accounts: async (_: { uid: string }, __: unknown, { identity, loaders }: Context) => {
    if (identity?.role !== Role.CUSTOMER) return [];
    const rows = await Promise.all(accountsOf(identity).map(async (a) => ({ a, customer: await loaders.customer.load(a.customerId) })));
    return rows
      .filter(({ customer }) => customer && String(customer.tenantId) === identity.tenantId)
      .map(({ a, customer }) => ({ role: a.role, active: a.customerId === identity.customerId, customer }));
  },
};

export const householdCustomerFields = {
  people: async (c: { _id: Types.ObjectId; tenantId: Types.ObjectId; name: string; portalUid?: string | null; portal?: { status?: string | null; email?: string | null; createdAt?: Date | null; lastLoginAt?: Date | null } | null }, _: unknown, ctx: Context) => {
    if (!maySeePeople(ctx.identity, c)) return null;
    const links = await ctx.models.AccountLink.find({ customerId: String(c._id) }).sort({ createdAt: 1 }).lean();
    const holder =
      c.portalUid && c.portal?.status && c.portal.status !== 'NONE'
        ? [personOf({ uid: c.portalUid, email: c.portal.email ?? '', name: c.name, role: AccountRole.OWNER, createdAt: c.portal.createdAt ?? null, lastSignInAt: c.portal.lastLoginAt ?? null })]
        : [];
    return [...holder, ...links.map(personOf)];
  },
};

export const householdMutations = {
  inviteHouseholdMember: async (_: unknown, { input }: { input: { email: string; name?: string | null } }, ctx: Context) => {
    const { identity } = ctx;
    if (!identity) throw unauthenticated();
    if (identity.role !== Role.CUSTOMER || !identity.customerId) throw forbidden('Only the account holder invites people to the account.');
    if (actingRole(identity) !== AccountRole.OWNER) throw forbidden('Only the account holder invites people to the account.');
    return inviteHouseholdMember(deps(ctx), identity, identity.customerId, input);
  },

  removeAccountPerson: async (_: unknown, { customerId, uid }: { customerId: string; uid: string }, ctx: Context) => {
    const { identity } = ctx;
    if (!identity) throw unauthenticated();
    if (!isObjectId(customerId) || typeof uid !== 'string' || uid.length > 128) throw notFound('Customer');
    if (identity.role === Role.CUSTOMER) {
      const role = linkTo(identity, customerId)?.role;
      // Someone not linked to the account learns nothing about it.
      if (!role) throw notFound('Customer');
      if (uid !== identity.uid && role === AccountRole.MEMBER) throw forbidden('Only the account holder removes people from the account.');
      if (uid === identity.uid && role === AccountRole.OWNER) throw codedError(ErrorCode.BAD_USER_INPUT, 'The account holder cannot leave their own account.', { field: 'uid' });
    } else {
      const tenantId = staffTenant(identity, ACCESS_ROLES);
      if (!(await ctx.models.Customer.exists({ _id: customerId, tenantId }))) throw notFound('Customer');
    }
    await unlinkPerson(deps(ctx), identity, customerId, uid);
    return { ok: true };
  },

  linkPropertyManager: async (_: unknown, { input }: { input: { email: string; name?: string | null; customerIds: string[] } }, ctx: Context) => {
    staffTenant(ctx.identity, ACCESS_ROLES);
    return linkPropertyManager(deps(ctx), ctx.identity!, input);
  },
};
