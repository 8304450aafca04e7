import { startConsumer, startReadModel, type EventLog } from '@wisp/events';
import { replyAddress, replyTokenSettingsFromEnv, signReplyToken, type Logger } from '@wisp/shared';
import type { Connection } from 'mongoose';
import type { Models } from '../models/index.ts';
import { phoneKey } from '../models/Customer.ts';
import { portalBaseUrl, type PortalServices } from '../portal/services.ts';
import { createPlanner, NOTIFYING_EVENTS, type PlannerOptions } from './planner.ts';
import { createSender, type NotificationChannels, type SenderDeps, type SenderOptions } from './sender.ts';
import { signUnsubscribeToken } from './unsubscribeToken.ts';

/** Options of customer notifications. */
export interface NotificationOptions extends PlannerOptions, SenderOptions {
  /** Replaces where messages go (tests). @default the outboxes */
  channels?: NotificationChannels;
  /** Does not start the sender loop (tests that drive `runOnce` themselves). */
  noSender?: boolean;
}

/** Reads the grouping window from NOTIFICATION_GROUP_WINDOW_MS (ms). @default 2 minutes */
export function notificationOptionsFromEnv(): NotificationOptions {
  const n = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
  return { groupWindowMs: n('NOTIFICATION_GROUP_WINDOW_MS'), pollMs: n('NOTIFICATION_POLL_MS') };
}

/**
 * The public address the one-click unsubscribe POST goes to (the gateway's, which forwards it
 * here): PUBLIC_GATEWAY_URL without its /graphql path. Read when a message is rendered.
 * @default "http://localhost:4000"
 */
export function publicApiBase(): string {
  const url = process.env.PUBLIC_GATEWAY_URL?.trim() || 'http://localhost:4000/graphql';
  return url.replace(/\/graphql\/?$/, '').replace(/\/$/, '');
}

/**
 * Customer notifications: a consumer of ticket, outage, call-back and message events plans who is
 * told what by which channel; a sender turns due rows into branded, localised messages in the
 * outboxes. Both run in every customer-subgraph process (each is safe to run twice).
 */
export async function startNotifications(o: {
  conn: Connection;
  models: Models;
  services: PortalServices;
  events: EventLog;
  logger: Logger;
  secret: string;
  options?: NotificationOptions;
}) {
  const { conn, models, services, events, logger, secret } = o;
  const options = { ...notificationOptionsFromEnv(), ...o.options };
  // Records saved before phones had a matching key get one (SMS replies find customers by it).
  const unkeyed = await models.Customer.find({ phone: { $type: 'string' }, phoneKey: { $exists: false } }, { phone: 1 }).limit(10_000).lean();
  for (const c of unkeyed) await models.Customer.updateOne({ _id: c._id }, { $set: { phoneKey: phoneKey(c.phone) } });

  const workOrders = await startReadModel({ name: 'notification_workorders', entity: 'WorkOrder', conn, log: events, logger });
  const planner = createPlanner({ models, tenants: services.tenants, workOrder: (tenantId, id) => workOrders.get(tenantId, id) }, options);
  const consumer = await startConsumer({ name: 'customer.notifications', conn, log: events, logger, types: NOTIFYING_EVENTS, handle: async (event) => void (await planner.plan(event)) });

  const channels: NotificationChannels = options.channels ?? {
    email: async (email) => ({ id: (await services.outbox.queue(email)).email.id }),
    sms: async (sms) => ({ id: (await services.smsOutbox.queue(sms)).sms.id }),
  };
  const deps: SenderDeps = {
    models,
    tenants: services.tenants,
    channels,
    portalUrl: (tenant) => portalBaseUrl(tenant),
    unsubscribe: (tenant, customerId, category) => {
      const token = encodeURIComponent(signUnsubscribeToken({ customerId, category, channel: 'EMAIL' }, secret));
      return { oneClick: `${publicApiBase()}/unsubscribe?token=${token}`, page: `${portalBaseUrl(tenant)}/unsubscribe?token=${token}` };
    },
    log: logger,
  };
  // Reply by email: each ticket email's Reply-To is an address for that ticket and customer alone.
  const reply = replyTokenSettingsFromEnv();
  if (reply.secret) {
    const secret = reply.secret;
    deps.replyTo = (_tenantId, workOrderId, customerId) =>
      replyAddress(signReplyToken({ workOrderId, customerId, expiresAt: new Date(Date.now() + reply.ttlDays * 86_400_000) }, secret), reply.domain);
  }
  const sender = createSender(deps, options);

  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const pollMs = options.pollMs ?? 1_000;
  const loop = () => {
    if (stopped) return;
    running = sender
      .runOnce()
      .catch((err: unknown) => logger.error('notification round failed', { error: err instanceof Error ? err.message : String(err) }))
      .then(() => {
        if (!stopped) timer = setTimeout(loop, pollMs);
      });
  };
  if (!options.noSender) loop();

  return {
    planner,
    sender,
    consumer,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await consumer.stop();
      await workOrders.stop();
    },
  };
}
