import { randomUUID } from 'node:crypto';
import type { Logger, Outbox, TenantInfo } from '@wisp/shared';
import { Types } from 'mongoose';
import type { Models } from '../models/index.ts';
import type { NotificationRow } from '../models/Notification.ts';
import { languageFor } from './i18n.ts';
import { decide, timeZoneOf, type Category, type Channel, type PreferenceFacts } from './preferences.ts';
import { renderEmail, renderSms, type RenderContext } from './render.ts';
import { quietHoursEnd } from './timeWords.ts';

/** One text message handed to the SMS outbox. */
export interface QueuedSms {
  tenantId: string;
  to: string;
  from: string;
  body: string;
  kind: string;
  dedupeKey: string;
}

/** Where messages go. In development and tests both channels are outboxes staff can read. */
export interface NotificationChannels {
  email: (email: Parameters<Outbox['queue']>[0]) => Promise<{ id: string }>;
  sms: ((sms: QueuedSms) => Promise<{ id: string }>) | null;
}

export interface SenderDeps {
  models: Pick<Models, 'Customer' | 'Notification'>;
  tenants: { get: (tenantId: string) => Promise<TenantInfo | null> };
  channels: NotificationChannels;
  /** The WISP's portal address (its own domain). */
  portalUrl: (tenant: TenantInfo) => string;
  /** The one-click unsubscribe link of an email about `category`, and the page it offers. */
  unsubscribe: (tenant: TenantInfo, customerId: string, category: Category) => { oneClick: string; page: string } | null;
  /** Where replies to a ticket email go (reply by email), when it is set up. */
  replyTo?: (tenantId: string, workOrderId: string, customerId: string) => string | null;
  log: Logger;
}

/** Options of the sender. */
export interface SenderOptions {
  /** @default 1 s */
  pollMs?: number;
  /** How long a sender holds a message it is sending before another may take it over. @default 2 minutes */
  leaseMs?: number;
  /** Rows read per round. @default 500 */
  batchSize?: number;
  /** Messages one process sends at once. @default 16 */
  concurrency?: number;
  now?: () => Date;
}

const PENDING = ['SCHEDULED', 'DEFERRED'];
type Target = PreferenceFacts & { _id: Types.ObjectId; name: string };

/** The sender id texts go from: the WISP's own, else the install's, else the WISP's name. */
export function smsSenderOf(tenant: TenantInfo): string {
  const own = tenant.branding.smsSenderId?.trim() || process.env.SMS_FROM?.trim();
  return own || tenant.branding.companyName.replace(/[^A-Za-z0-9 ]/g, '').slice(0, 11).trim() || 'Support';
}

/** `"Company" <address>` from the WISP's settings, or null for the install's sender. */
export function mailFromOf(tenant: TenantInfo): string | null {
  const address = tenant.branding.mailFromAddress?.trim();
  if (!address) return null;
  const name = (tenant.branding.mailFromName?.trim() || tenant.branding.companyName).replace(/["\\\r\n<>]/g, '');
  return `"${name}" <${address}>`;
}

/**
 * Sends due notifications: the due rows of one ticket, customer and channel become one message.
 * A sender marks the rows with a message key before it sends and keeps that key across a crash,
 * so the message a retry sends is the same one (the outbox stores it once per key): nothing is
 * lost and nothing is sent twice, however many senders run.
 */
export function createSender(deps: SenderDeps, options: SenderOptions = {}) {
  const leaseMs = options.leaseMs ?? 2 * 60_000;
  const batchSize = options.batchSize ?? 500;
  const concurrency = options.concurrency ?? 16;
  const now = options.now ?? (() => new Date());
  const { Notification, Customer } = deps.models;

  /** Takes a message: a stale one whose sender died, else the due rows of a group. */
  async function take(row: Pick<NotificationRow, 'groupKey' | 'messageKey' | 'leaseUntil'>, at: Date): Promise<string | null> {
    const leaseUntil = new Date(at.getTime() + leaseMs);
    if (row.messageKey) {
      // Only the lease seen to have run out is replaced: of two senders taking over, one wins.
      const res = await Notification.updateMany({ messageKey: row.messageKey, status: { $in: PENDING }, leaseUntil: row.leaseUntil }, { $set: { leaseUntil } });
      return res.modifiedCount ? row.messageKey : null;
    }
    const key = randomUUID();
    const res = await Notification.updateMany({ groupKey: row.groupKey, status: { $in: PENDING }, dueAt: { $lte: at }, messageKey: null }, { $set: { messageKey: key, leaseUntil } });
    return res.modifiedCount ? key : null;
  }

  async function settle(key: string, set: Record<string, unknown>, ids?: string[]) {
    await Notification.updateMany({ messageKey: key, status: { $in: PENDING }, ...(ids ? { _id: { $in: ids } } : {}) }, { $set: { leaseUntil: null, ...set } });
  }

  async function send(key: string, at: Date, tenantOf: (id: string) => Promise<TenantInfo | null>): Promise<number> {
    const rows = await Notification.find({ messageKey: key, status: { $in: PENDING } }).sort({ createdAt: 1, _id: 1 }).lean<NotificationRow[]>();
    if (!rows.length) return 0;
    const first = rows[0]!;
    const channel = first.channel as Channel;
    const [customer, tenant] = await Promise.all([
      Customer.findOne({ _id: first.customerId, tenantId: new Types.ObjectId(first.tenantId) }, { name: 1, email: 1, phone: 1, portal: 1, contactPreferences: 1, notificationSettings: 1 }).lean<Target>(),
      tenantOf(first.tenantId),
    ]);
    if (!customer || !tenant || tenant.status !== 'ACTIVE') {
      await settle(key, { status: 'SKIPPED', reason: !customer ? 'The customer record is gone' : 'The WISP is not active' });
      return 0;
    }
    // Preferences may have changed since planning (an unsubscribe, a STOP): they decide again now.
    const sendable: NotificationRow[] = [];
    let to: string | null = null;
    for (const row of rows) {
      const verdict = decide(customer, channel, row.category as Category);
      if (verdict.ok) {
        sendable.push(row);
        to = verdict.to;
      } else await settle(key, { status: 'SKIPPED', reason: verdict.reason }, [row._id]);
    }
    if (!sendable.length || !to) return 0;
    const timeZone = timeZoneOf(customer, tenant);
    const settings = customer.notificationSettings;
    if (channel === 'SMS' || settings?.deferEmailInQuietHours) {
      const until = quietHoursEnd(at, settings?.quietHours as never, timeZone);
      if (until) {
        await settle(key, { status: 'DEFERRED', reason: 'Quiet hours', dueAt: until, messageKey: null });
        return 0;
      }
    }
    const items = sendable.map((r) => ({ kind: r.kind, category: r.category as Category, workOrderId: r.workOrderId ?? null, facts: (r.facts ?? {}) as Record<string, unknown> }));
    const language = languageFor(settings?.language, tenant.branding.defaultLanguage);
    const last = items.at(-1)!;
    const links = channel === 'EMAIL' ? deps.unsubscribe(tenant, first.customerId, last.category) : null;
    const ctx: RenderContext = { tenant, customerName: customer.name, language, timeZone, portalUrl: deps.portalUrl(tenant), unsubscribeUrl: links?.page ?? null };
    const ids = sendable.map((r) => r._id);
    const kind = `notification-${last.kind}`;
    let outboxId: string;
    let subject: string | null = null;
    if (channel === 'EMAIL') {
      const ticket = [...items].reverse().find((i) => i.category !== 'OUTAGES' && i.workOrderId)?.workOrderId ?? null;
      const replyTo = ticket ? (deps.replyTo?.(first.tenantId, ticket, first.customerId) ?? null) : null;
      const email = renderEmail(items, ctx, { replyable: !!replyTo });
      subject = email.subject;
      const headers: Record<string, string> = links ? { 'List-Unsubscribe': `<${links.oneClick}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {};
      ({ id: outboxId } = await deps.channels.email({ tenantId: first.tenantId, to, ...email, kind, dedupeKey: `notify:${key}`, from: mailFromOf(tenant), replyTo, headers }));
    } else {
      if (!deps.channels.sms) {
        await settle(key, { status: 'FAILED', reason: 'Text messages are not set up' }, ids);
        return 0;
      }
      ({ id: outboxId } = await deps.channels.sms({ tenantId: first.tenantId, to, from: smsSenderOf(tenant), body: renderSms(items, ctx), kind, dedupeKey: `notify:${key}` }));
    }
    await settle(key, { status: 'SENT', sentAt: at, outboxId, to, subject, reason: null }, ids);
    return 1;
  }

  /** One round: every due message, oldest first. Returns the number of messages sent. */
  async function runOnce(): Promise<number> {
    const at = now();
    const due = await Notification.find({ status: { $in: PENDING }, dueAt: { $lte: at } }, { groupKey: 1, messageKey: 1, leaseUntil: 1 })
      .sort({ dueAt: 1 })
      .limit(batchSize)
      .lean<Pick<NotificationRow, 'groupKey' | 'messageKey' | 'leaseUntil'>[]>();
    const seen = new Set<string>();
    const work: Pick<NotificationRow, 'groupKey' | 'messageKey' | 'leaseUntil'>[] = [];
    for (const row of due) {
      // A message another sender is sending now stays its own until its lease runs out.
      if (row.messageKey && row.leaseUntil && row.leaseUntil > at) continue;
      const id = row.messageKey ?? `group:${row.groupKey}`;
      if (seen.has(id)) continue;
      seen.add(id);
      work.push(row);
    }
    // Messages are independent (one customer and channel each): several go at once.
    let sent = 0;
    let next = 0;
    const tenants = new Map<string, Promise<TenantInfo | null>>();
    const tenantOf = (id: string) => tenants.get(id) ?? (tenants.set(id, deps.tenants.get(id)), tenants.get(id)!);
    const lane = async () => {
      while (next < work.length) {
        const row = work[next++]!;
        const key = await take(row, at);
        if (!key) continue;
        try {
          // (Read after the await: lanes interleave.)
          const n = await send(key, at, tenantOf);
          sent += n;
        } catch (err) {
          // The lease runs out and a later round (of this or another sender) sends the same message.
          deps.log.error('notification not sent', { messageKey: key, error: err instanceof Error ? err.message : String(err) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, work.length) }, lane));
    return sent;
  }

  return { runOnce };
}

export type Sender = ReturnType<typeof createSender>;
