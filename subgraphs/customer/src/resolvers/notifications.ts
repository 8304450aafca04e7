import { actsAsHolder, badInput, forbidden, Role, SUPPORTED_LANGUAGES, unauthenticated } from '@wisp/shared';
import type { Types } from 'mongoose';
import type { Context } from '../context.ts';
import { customerEvent, updateCustomerWithEvents } from '../customerEvents.ts';
import type { CustomerDoc } from '../models/index.ts';
import type { NotificationRow } from '../models/Notification.ts';
import { preferencesOf, preferencesUpdate, type PreferencesInput } from '../notifications/preferences.ts';
import { applyUnsubscribe } from '../notifications/unsubscribe.ts';
import { staffTenant } from './access.ts';

type CustomerRow = CustomerDoc & { _id: Types.ObjectId };
const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

async function tenantOf(ctx: Context, tenantId: unknown) {
  return ctx.models.services.tenants.get(String(tenantId));
}

function pageSize(first: number | null | undefined): number {
  const limit = first ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw badInput('first must be between 1 and 100.', 'first');
  return limit;
}

export const notificationCustomerFields = {
  notificationPreferences: async (c: CustomerRow, _: unknown, ctx: Context) => preferencesOf(c as never, await tenantOf(ctx, c.tenantId)),
  notificationLog: async (c: CustomerRow, { first }: { first?: number | null }, ctx: Context) =>
    ctx.models.Notification.find({ tenantId: String(c.tenantId), customerId: String(c._id) }).sort({ createdAt: -1 }).limit(pageSize(first)).lean(),
};

export const WorkOrder = {
  __resolveReference: ({ id }: { id: string }) => ({ id }),
  customerNotifications: async ({ id }: { id: string }, _: unknown, ctx: Context) => {
    // Staff (and integrators reading tickets) only: it names addresses and what was held back.
    const tenantId = staffTenant(ctx.identity);
    return ctx.models.Notification.find({ tenantId, workOrderId: id }).sort({ createdAt: -1 }).limit(100).lean();
  },
};

export const NotificationDelivery = {
  id: (n: NotificationRow) => n._id,
  kinds: (n: NotificationRow) => [n.kind],
  scheduledFor: (n: NotificationRow) => (n.status === 'SCHEDULED' || n.status === 'DEFERRED' ? iso(n.dueAt) : null),
  sentAt: (n: NotificationRow) => iso(n.sentAt),
  createdAt: (n: NotificationRow) => iso(n.createdAt),
  /** What the outbox (or provider) knows after the message was handed over. */
  status: async (n: NotificationRow, _: unknown, ctx: Context) => (await outboxFacts(n, ctx)).status,
  reason: async (n: NotificationRow, _: unknown, ctx: Context) => (await outboxFacts(n, ctx)).reason,
  deliveredAt: async (n: NotificationRow, _: unknown, ctx: Context) => iso((await outboxFacts(n, ctx)).deliveredAt),
};

async function outboxFacts(n: NotificationRow, ctx: Context): Promise<{ status: string; reason: string | null; deliveredAt: Date | null }> {
  if (n.status !== 'SENT' || !n.outboxId) return { status: n.status, reason: n.reason ?? null, deliveredAt: null };
  if (n.channel === 'SMS') {
    // The provider's delivery report, once it came.
    const sms = await ctx.models.services.smsOutbox.get(n.outboxId);
    if (sms?.status === 'DELIVERED') return { status: 'DELIVERED', reason: null, deliveredAt: sms.deliveredAt ?? null };
    if (sms?.status === 'FAILED' || sms?.status === 'UNDELIVERED') return { status: 'FAILED', reason: sms.error ?? 'The carrier could not deliver it', deliveredAt: null };
    return { status: 'SENT', reason: null, deliveredAt: null };
  }
  const email = await ctx.models.services.outbox.get(n.outboxId);
  if (email?.status === 'FAILED') return { status: 'FAILED', reason: email.error ?? 'The mail server refused it', deliveredAt: null };
  return { status: 'SENT', reason: null, deliveredAt: null };
}

export const notificationQueries = {
  notificationLanguages: () => SUPPORTED_LANGUAGES.map((l) => ({ ...l })),
};

export const notificationMutations = {
  updateMyNotificationPreferences: async (_: unknown, { input }: { input: PreferencesInput }, ctx: Context) => {
    const { identity } = ctx;
    if (!identity) throw unauthenticated();
    if (identity.role !== Role.CUSTOMER || !identity.customerId || !identity.tenantId) throw forbidden('Only customers have notification preferences to change.');
    if (!actsAsHolder(identity)) throw forbidden('Only the account holder changes what the account is notified about.');
    // The record is the caller's own, from the signed identity; a revoked login changes nothing.
    const filter = { _id: identity.customerId, tenantId: identity.tenantId, 'portal.status': { $ne: 'REVOKED' } };
    const current = await ctx.models.Customer.findOne(filter).lean();
    if (!current) throw unauthenticated('This login has been disabled.');
    const { errors, set, unset } = preferencesUpdate(input ?? {}, current as never);
    if (errors.length) return { ok: false, preferences: null, errors };
    if (Object.keys(set).length || Object.keys(unset).length) {
      const fields = [...new Set([...Object.keys(set), ...Object.keys(unset)].map((k) => k.split('.')[0]!))];
      await updateCustomerWithEvents({ models: ctx.models, services: ctx.models.services }, filter, { ...(Object.keys(set).length ? { $set: set } : {}), ...(Object.keys(unset).length ? { $unset: unset } : {}) }, [
        customerEvent(current, 'customer.updated', 'updated', { fields, site: current.site ?? null }),
      ]);
    }
    const fresh = await ctx.models.Customer.findOne(filter).lean();
    return { ok: true, preferences: preferencesOf(fresh as never, await tenantOf(ctx, identity.tenantId)), errors: [] };
  },

  unsubscribe: async (_: unknown, { token }: { token: string }, ctx: Context) => {
    const done = await applyUnsubscribe(ctx.models, token);
    if (!done) throw badInput('This unsubscribe link is not valid. Sign in to the portal to change what you receive.', 'token');
    return { ok: true, category: done.category, channel: done.channel, companyName: done.companyName };
  },
};

