import { randomUUID } from 'node:crypto';
import { badInput, codedError, ErrorCode, forbidden, hasScope, isDuplicateKey, isObjectId, notFound, Role, unauthenticated, type Identity } from '@wisp/shared';
import { Types } from 'mongoose';
import type { Models } from '../models/index.ts';
import type { DeliveryRow } from '../webhooks/webhookDelivery.ts';
import { newWebhookSecret } from '../webhooks/signing.ts';
import { TEST_EVENT_TYPE, WEBHOOK_EVENT_TYPES, webhookMessageId } from '../webhooks/webhookPayload.ts';
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from '../webhooks/webhookSettings.ts';
import { checkWebhookUrl } from '../webhooks/webhookUrl.ts';

/** What the webhook resolvers use besides the models: the settings and the sender to wake. */
export interface WebhookServices {
  settings: WebhookSettings;
  wake: () => void;
}
type Ctx = { identity: Identity | null; models: Models; services?: { webhooks?: WebhookServices } };

/**
 * Endpoints are managed by the tenant's own administrators, and by its integrators' keys with
 * `webhooks:manage` (the scope is checked before any root field runs; checked here again so a
 * resolver never depends on that alone).
 */
function managingTenant(identity: Identity | null): string {
  if (!identity) throw unauthenticated();
  if (identity.role === Role.INTEGRATOR && identity.tenantId && hasScope(identity, 'webhooks:manage')) return identity.tenantId;
  if (identity.role !== Role.TENANT_ADMIN || !identity.tenantId) throw forbidden('Only the tenant\'s administrators (or its API keys with webhooks:manage) manage webhooks.');
  return identity.tenantId;
}

/** Internal notes and staff-only fields go only where the caller may see them itself. */
function mayIncludeInternal(identity: Identity): boolean {
  return identity.role === Role.TENANT_ADMIN || hasScope(identity, 'notes:read');
}

const settingsOf = (ctx: Ctx) => ctx.services?.webhooks?.settings ?? DEFAULT_WEBHOOK_SETTINGS;
const wake = (ctx: Ctx) => ctx.services?.webhooks?.wake();

/** Longest overlap of a rotated secret with its replacement. */
const MAX_OVERLAP_HOURS = 24 * 30;
const MAX_ENDPOINTS = 50;

export interface EndpointRow {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  url: string;
  description?: string | null;
  eventTypes: string[];
  includeInternal?: boolean;
  enabled: boolean;
  disabledReason?: string | null;
  consecutiveFailures?: number;
  createdAt?: Date;
  updatedAt?: Date;
}

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

export const WebhookEndpoint = {
  id: (e: EndpointRow) => String(e._id),
  includeInternal: (e: EndpointRow) => !!e.includeInternal,
  createdAt: (e: EndpointRow) => iso(e.createdAt),
  updatedAt: (e: EndpointRow) => iso(e.updatedAt ?? e.createdAt),
  consecutiveFailures: (e: EndpointRow) => e.consecutiveFailures ?? 0,
};

export const WebhookDelivery = {
  id: (d: DeliveryRow) => String(d._id),
  endpointId: (d: DeliveryRow) => String(d.endpointId),
  createdAt: (d: DeliveryRow) => iso(d.createdAt),
  deliveredAt: (d: DeliveryRow) => iso(d.deliveredAt),
  nextAttemptAt: (d: DeliveryRow) => (d.status === 'PENDING' ? iso(d.nextAttemptAt) : null),
};

async function checkedUrl(raw: unknown, settings: WebhookSettings): Promise<string> {
  const url = typeof raw === 'string' ? raw.trim() : '';
  if (!url || url.length > 2000) throw badInput('Give the endpoint a URL (at most 2000 characters).', 'url');
  const check = await checkWebhookUrl(url, { allowLoopback: settings.allowLoopback });
  if (!check.ok) throw codedError(ErrorCode.BAD_USER_INPUT, `${check.message} Webhooks go to public https addresses only.`, { field: 'url', reason: check.reason });
  return check.url.toString();
}

function checkedEventTypes(types: unknown): string[] {
  if (!Array.isArray(types) || types.length === 0) throw badInput(`Subscribe to at least one event type: ${WEBHOOK_EVENT_TYPES.join(', ')}.`, 'eventTypes');
  const unknown = types.filter((t) => !(WEBHOOK_EVENT_TYPES as string[]).includes(t));
  if (unknown.length) throw badInput(`Unknown event types: ${unknown.join(', ')}. Known: ${WEBHOOK_EVENT_TYPES.join(', ')}.`, 'eventTypes');
  return [...new Set(types as string[])].sort();
}

function checkedDescription(d: unknown): string | null {
  if (d === null || d === undefined) return null;
  const text = String(d).trim();
  if (text.length > 200) throw badInput('The description is at most 200 characters.', 'description');
  return text || null;
}

function checkedInternal(identity: Identity, wanted: unknown): boolean {
  if (!wanted) return false;
  if (!mayIncludeInternal(identity)) throw forbidden('Only keys with notes:read (or administrators) may send internal notes to an endpoint.');
  return true;
}

async function ownEndpoint(models: Models, tenantId: string, id: string): Promise<EndpointRow> {
  const row = isObjectId(id) ? await models.WebhookEndpoint.findOne({ _id: id, tenantId }).lean<EndpointRow>() : null;
  // Another tenant's endpoint answers exactly like an unknown one.
  if (!row) throw notFound('Webhook endpoint');
  return row;
}

async function ownDelivery(models: Models, tenantId: string, id: string): Promise<DeliveryRow> {
  const row = isObjectId(id) ? await models.WebhookDelivery.findOne({ _id: id, tenantId }).lean<DeliveryRow>() : null;
  if (!row || !(await models.WebhookEndpoint.exists({ _id: row.endpointId, tenantId }))) throw notFound('Webhook delivery');
  return row;
}

/** Sends a delivery again from its first attempt, under the same webhook-id. */
const REPLAY = (now: Date) => ({ $set: { status: 'PENDING', attempts: 0, nextAttemptAt: now, leaseUntil: new Date(0), leaseOwner: null, replayedAt: now, deliveredAt: null } });

export const webhookQueries = {
  webhookEndpoints: async (_: unknown, __: unknown, { identity, models }: Ctx) => {
    const tenantId = managingTenant(identity);
    return models.WebhookEndpoint.find({ tenantId }).sort({ _id: -1 }).limit(MAX_ENDPOINTS).lean<EndpointRow[]>();
  },

  webhookDeliveries: async (_: unknown, { endpointId, first }: { endpointId: string; first?: number | null }, { identity, models }: Ctx) => {
    const tenantId = managingTenant(identity);
    const ep = await ownEndpoint(models, tenantId, endpointId);
    const limit = Math.min(Math.max(first ?? 50, 1), 200);
    return models.WebhookDelivery.find({ endpointId: ep._id }).sort({ _id: -1 }).limit(limit).lean<DeliveryRow[]>();
  },

  webhookEventTypes: (_: unknown, __: unknown, { identity }: Ctx) => {
    managingTenant(identity);
    return WEBHOOK_EVENT_TYPES;
  },
};

export const webhookMutations = {
  createWebhookEndpoint: async (
    _: unknown,
    { input }: { input: { url: string; description?: string | null; eventTypes: string[]; includeInternal?: boolean | null; clientMutationId?: string | null } },
    ctx: Ctx,
  ) => {
    const tenantId = managingTenant(ctx.identity);
    const fields = {
      url: await checkedUrl(input.url, settingsOf(ctx)),
      description: checkedDescription(input.description),
      eventTypes: checkedEventTypes(input.eventTypes),
      includeInternal: checkedInternal(ctx.identity!, input.includeInternal),
    };
    if ((await ctx.models.WebhookEndpoint.countDocuments({ tenantId })) >= MAX_ENDPOINTS) throw badInput(`A tenant has at most ${MAX_ENDPOINTS} webhook endpoints.`);
    const _id = new Types.ObjectId();
    const secret = newWebhookSecret();
    const cmid = input.clientMutationId ? String(input.clientMutationId).slice(0, 100) : randomUUID();
    try {
      await ctx.models.WebhookEndpoint.create({ _id, tenantId: new Types.ObjectId(tenantId), ...fields, secrets: [{ secret, createdAt: new Date(), expiresAt: null }], createdByUid: ctx.identity!.uid, createdByMutation: cmid });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // The secret is shown once, to the request that made the endpoint: a retry cannot show it again.
      throw codedError(ErrorCode.CONFLICT, 'This endpoint was created already and its secret shown once. If it was lost, rotate the secret.', { field: 'clientMutationId' });
    }
    return { endpoint: await ownEndpoint(ctx.models, tenantId, String(_id)), secret };
  },

  updateWebhookEndpoint: async (
    _: unknown,
    { id, input }: { id: string; input: { url?: string | null; description?: string | null; eventTypes?: string[] | null; enabled?: boolean | null; includeInternal?: boolean | null } },
    ctx: Ctx,
  ) => {
    const tenantId = managingTenant(ctx.identity);
    const ep = await ownEndpoint(ctx.models, tenantId, id);
    const set: Record<string, unknown> = {};
    if (input.url !== undefined && input.url !== null) set.url = await checkedUrl(input.url, settingsOf(ctx));
    if (input.description !== undefined) set.description = checkedDescription(input.description);
    if (input.eventTypes !== undefined && input.eventTypes !== null) set.eventTypes = checkedEventTypes(input.eventTypes);
    if (input.includeInternal !== undefined && input.includeInternal !== null) set.includeInternal = checkedInternal(ctx.identity!, input.includeInternal);
    const enabling = input.enabled === true && !ep.enabled;
    // Turned off by the tenant: no deliveries are made for it until it is turned on again.
    if (input.enabled === false) Object.assign(set, ep.enabled ? { enabled: false, receiving: false, disabledReason: 'Disabled by the tenant.', disabledAt: new Date() } : { receiving: false });
    // Enabled again: a fresh start, and what waited while it was off is due now.
    if (input.enabled === true) Object.assign(set, { enabled: true, receiving: true, disabledReason: null, disabledAt: null, consecutiveFailures: 0, failingSince: null });
    if (Object.keys(set).length) await ctx.models.WebhookEndpoint.updateOne({ _id: ep._id }, { $set: set });
    if (enabling) {
      await ctx.models.WebhookDelivery.updateMany({ endpointId: ep._id, status: 'PENDING' }, { $set: { nextAttemptAt: new Date() } });
      wake(ctx);
    }
    return ownEndpoint(ctx.models, tenantId, id);
  },

  deleteWebhookEndpoint: async (_: unknown, { id }: { id: string }, ctx: Ctx) => {
    const tenantId = managingTenant(ctx.identity);
    const ep = await ownEndpoint(ctx.models, tenantId, id);
    await ctx.models.WebhookEndpoint.deleteOne({ _id: ep._id });
    await ctx.models.WebhookDelivery.updateMany({ endpointId: ep._id, status: 'PENDING' }, { $set: { status: 'FAILED', lastError: 'The endpoint was removed.', nextAttemptAt: null } });
    return true;
  },

  /**
   * A new secret; the old one keeps signing beside it for `overlapHours` (default 24, 0 ends it at
   * once): each delivery then carries both signatures, so the receiver can switch without a gap.
   */
  rotateWebhookSecret: async (_: unknown, { id, overlapHours }: { id: string; overlapHours?: number | null }, ctx: Ctx) => {
    const tenantId = managingTenant(ctx.identity);
    const ep = await ownEndpoint(ctx.models, tenantId, id);
    const hours = overlapHours ?? 24;
    if (!Number.isInteger(hours) || hours < 0 || hours > MAX_OVERLAP_HOURS) throw badInput(`overlapHours is a whole number from 0 to ${MAX_OVERLAP_HOURS}.`, 'overlapHours');
    const now = new Date();
    const end = new Date(now.getTime() + hours * 3600_000);
    const current = (await ctx.models.WebhookEndpoint.findById(ep._id).select('+secrets').lean<{ secrets: { secret: string; createdAt: Date; expiresAt?: Date | null }[] }>())?.secrets ?? [];
    const secret = newWebhookSecret();
    // Older secrets end at the overlap's end, or sooner if they were to end sooner anyway; ended ones go.
    const kept = current
      .map((s) => ({ ...s, expiresAt: s.expiresAt && s.expiresAt < end ? s.expiresAt : end }))
      .filter((s) => s.expiresAt > now);
    await ctx.models.WebhookEndpoint.updateOne({ _id: ep._id }, { $set: { secrets: [{ secret, createdAt: now, expiresAt: null }, ...kept] } });
    return { endpoint: await ownEndpoint(ctx.models, tenantId, id), secret };
  },

  replayWebhookDelivery: async (_: unknown, { id }: { id: string }, ctx: Ctx) => {
    const tenantId = managingTenant(ctx.identity);
    const d = await ownDelivery(ctx.models, tenantId, id);
    await ctx.models.WebhookDelivery.updateOne({ _id: d._id }, REPLAY(new Date()));
    wake(ctx);
    return ctx.models.WebhookDelivery.findById(d._id).lean<DeliveryRow>();
  },

  /** Every delivery made since `since` that is not pending goes again; the answer is how many. */
  replayWebhookDeliveries: async (_: unknown, { endpointId, since }: { endpointId: string; since: string }, ctx: Ctx) => {
    const tenantId = managingTenant(ctx.identity);
    const ep = await ownEndpoint(ctx.models, tenantId, endpointId);
    const from = new Date(String(since));
    if (Number.isNaN(from.getTime())) throw badInput('since must be an ISO date and time.', 'since');
    const res = await ctx.models.WebhookDelivery.updateMany({ endpointId: ep._id, createdAt: { $gte: from }, status: { $ne: 'PENDING' } }, REPLAY(new Date()));
    wake(ctx);
    return res.modifiedCount ?? 0;
  },

  /** A `webhook.test` delivery, sent like any other: checks URL, signature and receiver. */
  sendTestWebhook: async (_: unknown, { endpointId }: { endpointId: string }, ctx: Ctx) => {
    const tenantId = managingTenant(ctx.identity);
    const ep = await ownEndpoint(ctx.models, tenantId, endpointId);
    const eventId = `test_${randomUUID()}`;
    const now = new Date();
    const body = JSON.stringify({ type: TEST_EVENT_TYPE, timestamp: now.toISOString(), data: { endpointId: String(ep._id), message: 'A test delivery from your WISP portal.', webhookId: webhookMessageId(eventId, String(ep._id)) } });
    const doc = await ctx.models.WebhookDelivery.create({
      tenantId: ep.tenantId,
      endpointId: ep._id,
      eventId,
      eventType: TEST_EVENT_TYPE,
      entityKey: `Test:${eventId}`,
      seq: 0,
      eventAt: now,
      body,
      nextAttemptAt: now,
    });
    wake(ctx);
    return ctx.models.WebhookDelivery.findById(doc._id).lean<DeliveryRow>();
  },
};
