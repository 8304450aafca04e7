import { badInput, forbidden, isObjectId, notFound, pageQuery, Role, toConnection, unauthenticated } from '@wisp/shared';
import type { Context } from '../context.ts';
import { accountSecurity, signInLockout } from '../portal/accountSecurity.ts';
import { isDevelopment } from '../portal/services.ts';
import { escapeRegex } from '../portal/validation.ts';
import { canSeeCustomer, staffTenant } from './access.ts';

type OutboxArgs = { to?: string | null; first?: number | null };

/**
 * Who may read the outboxes, and which part: the tenant's staff, in development only. Mail holds
 * set-password links (reading it would let staff sign in as a customer) and texts are what went to
 * customers' own phones: only the development stack (auth emulator, nothing really sent) shows them.
 */
function outboxFilter(identity: Context['identity'], to: string | null | undefined, first: number | null | undefined) {
  const tenantId = staffTenant(identity, [Role.AGENT, Role.TENANT_ADMIN]);
  if (!isDevelopment()) throw forbidden('The outbox is only viewable in development.');
  const limit = first ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw badInput('first must be between 1 and 100.', 'first');
  return { tenantId, ...(to ? { to } : {}), limit };
}

const withIsoCreatedAt = <T extends { createdAt: Date }>(rows: T[]) => rows.map((row) => ({ ...row, createdAt: new Date(row.createdAt).toISOString() }));

export const Query = {
  customer: async (_: unknown, { id }: { id: string }, { identity, loaders }: Context) => {
    if (!identity) throw unauthenticated();
    const customer = await loaders.customer.load(id);
    // Someone else's record answers exactly like a missing one.
    if (!customer || !canSeeCustomer(identity, customer)) throw notFound('Customer');
    return customer;
  },

  customers: async (_: unknown, args: { search?: string | null; first?: number | null; after?: string | null }, { identity, models }: Context) => {
    const tenantId = staffTenant(identity);
    const { limit, after } = pageQuery(args);
    const search = args.search?.trim() ?? '';
    if (search.length > 100) throw badInput('Search for at most 100 characters.', 'search');
    const filter: Record<string, unknown> = { tenantId };
    if (search) {
      // Anchored prefixes only: they stay on the indexes (no text index on the embedded database).
      const prefix = new RegExp(`^${escapeRegex(search)}`, 'i');
      const or: Record<string, unknown>[] = [{ name: prefix }, { email: prefix }, { accountNumber: prefix }];
      const digits = search.replace(/\D/g, '');
      if (digits.length >= 3 && /^[+\d\s().-]+$/.test(search)) {
        or.push({ phone: new RegExp(`^\\+?${escapeRegex(digits)}`) }, { phone: new RegExp(`^\\+?1${escapeRegex(digits)}`) });
      }
      filter.$or = or;
    }
    if (after) filter._id = { $lt: after };
    const rows = await models.Customer.find(filter).sort({ _id: -1 }).limit(limit + 1).lean();
    return toConnection(rows, limit);
  },

  portalAccessAudit: async (_: unknown, args: { customerId?: string | null; first?: number | null; after?: string | null }, { identity, models }: Context) => {
    const tenantId = staffTenant(identity, [Role.TENANT_ADMIN]);
    const { limit, after } = pageQuery(args);
    const filter: Record<string, unknown> = { tenantId };
    if (args.customerId != null) {
      if (!isObjectId(args.customerId)) throw notFound('Customer');
      filter.customerId = args.customerId;
    }
    if (after) filter._id = { $lt: after };
    const rows = await models.AuditEntry.find(filter).sort({ _id: -1 }).limit(limit + 1).lean();
    return toConnection(rows, limit);
  },

  outboxEmails: async (_: unknown, { to, first }: OutboxArgs, { identity, models }: Context) => {
    const filter = outboxFilter(identity, to, first);
    return withIsoCreatedAt(await models.services.outbox.list(filter));
  },

  outboxSms: async (_: unknown, { to, first }: OutboxArgs, { identity, models }: Context) => {
    const filter = outboxFilter(identity, to, first);
    return withIsoCreatedAt(await models.services.smsOutbox.list(filter));
  },

  accountSecurity: (_: unknown, __: unknown, ctx: Context) => accountSecurity(ctx),
  signInLockout: (_: unknown, { input }: { input: { tenantSlug: string; email: string } }, ctx: Context) => signInLockout(ctx, input),
};
