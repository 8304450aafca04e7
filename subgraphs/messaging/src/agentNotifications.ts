import { Schema, Types, type Connection, type Model } from 'mongoose';
import { isDuplicateKey, renderBrandedEmail, type Logger, type Outbox, type StaffDirectory, type TenantDirectory } from '@wisp/shared';

export type AgentNotificationKind = 'TICKET_CREATED' | 'CUSTOMER_MESSAGE' | 'CALLBACK_REQUESTED';

/** One in-app notification for one staff member. */
export interface AgentNotification {
  id: string;
  tenantId: string;
  recipientUid: string;
  kind: AgentNotificationKind;
  workOrderId: string | null;
  title: string;
  body: string;
  readAt: Date | null;
  createdAt: Date;
}

/** What happened, for whom. Never pass staff-only text: customers' own words and ticket titles only. */
export interface AgentNotice {
  tenantId: string;
  kind: AgentNotificationKind;
  /** The assigned agent; null notifies every agent and admin of the tenant. */
  assigneeUid: string | null;
  workOrderId: string | null;
  title: string;
  body: string;
  /** Idempotency key: the same notice twice notifies once (retried mutations). */
  dedupeKey: string;
  /** Path in the portal for the email's button, e.g. `/staff/tickets/<id>`. */
  path?: string;
}

const notificationSchema = new Schema(
  {
    tenantId: { type: String, required: true },
    recipientUid: { type: String, required: true },
    kind: { type: String, required: true },
    workOrderId: { type: String, default: null },
    title: { type: String, required: true },
    body: { type: String, required: true },
    dedupeKey: { type: String, required: true },
    readAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false },
);
notificationSchema.index({ recipientUid: 1, dedupeKey: 1 }, { unique: true });
notificationSchema.index({ tenantId: 1, recipientUid: 1, _id: -1 });
// The unread ones (readAt null) and their count, which the queue page shows on every load.
notificationSchema.index({ tenantId: 1, recipientUid: 1, readAt: 1, _id: -1 });

/**
 * One staff member's choice of which notifications also reach them by email (the in-app list
 * always has them). Absent: every kind is emailed.
 */
const preferenceSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    uid: { type: String, required: true },
    /** Kinds not emailed. */
    mutedEmail: { type: [String], default: [] },
  },
  { timestamps: true, versionKey: false },
);

export const AGENT_NOTIFICATION_KINDS: AgentNotificationKind[] = ['TICKET_CREATED', 'CUSTOMER_MESSAGE', 'CALLBACK_REQUESTED'];
type PreferenceRow = { _id: string; tenantId: string; uid: string; mutedEmail: string[] };

type Row = Omit<AgentNotification, 'id'> & { _id: Types.ObjectId; dedupeKey: string };
const toNotification = ({ _id, dedupeKey: _d, ...rest }: Row): AgentNotification => ({ ...rest, id: String(_id) });

export interface AgentNotifier {
  /** Stores one in-app notification per recipient and queues one branded email each. */
  notify: (notice: AgentNotice) => Promise<{ recipients: string[] }>;
  list: (tenantId: string, recipientUid: string, opts?: { limit?: number; before?: Types.ObjectId | null; unreadOnly?: boolean }) => Promise<AgentNotification[]>;
  unreadCount: (tenantId: string, recipientUid: string) => Promise<number>;
  markRead: (tenantId: string, recipientUid: string, id: string) => Promise<AgentNotification | null>;
  /** The kinds a staff member has emailed to them. */
  emailedKinds: (tenantId: string, uid: string) => Promise<AgentNotificationKind[]>;
  setEmailedKinds: (tenantId: string, uid: string, kinds: AgentNotificationKind[]) => Promise<AgentNotificationKind[]>;
  close: () => Promise<void>;
}

export interface AgentNotifierDeps {
  outbox: Outbox;
  tenants: TenantDirectory;
  staff: StaffDirectory;
  log?: Logger;
}

/** Staff notifications, kept in the messaging subgraph's own database. */
export function agentNotifierOn(conn: Connection, deps: AgentNotifierDeps): AgentNotifier {
  const Notification: Model<Row> = (conn.models.AgentNotification as Model<Row>) ?? conn.model<Row>('AgentNotification', notificationSchema, 'agent_notifications');
  const Preference: Model<PreferenceRow> = (conn.models.AgentNotificationPreference as Model<PreferenceRow>) ?? conn.model<PreferenceRow>('AgentNotificationPreference', preferenceSchema, 'agent_notification_preferences');
  const ready = Promise.all([Notification.init().then(() => Notification.createIndexes()), Preference.init()]);
  const prefId = (tenantId: string, uid: string) => `${tenantId}:${uid}`;
  const muted = async (tenantId: string, uids: string[]) => {
    const rows = await Preference.find({ _id: { $in: uids.map((u) => prefId(tenantId, u)) } }).lean<PreferenceRow[]>();
    return new Map(rows.map((r) => [r.uid, new Set(r.mutedEmail)]));
  };
  return {
    async notify(notice) {
      await ready;
      const staff = await deps.staff.list(notice.tenantId);
      const assigned = notice.assigneeUid ? staff.filter((s) => s.uid === notice.assigneeUid) : [];
      const recipients = assigned.length ? assigned : staff;
      const tenant = await deps.tenants.get(notice.tenantId);
      const mutedFor = await muted(notice.tenantId, recipients.map((r) => r.uid));
      for (const r of recipients) {
        try {
          await Notification.create({ ...notice, recipientUid: r.uid, dedupeKey: notice.dedupeKey, readAt: null });
        } catch (err) {
          // Already notified for this key: a retried action notifies once (the email below is deduplicated too).
          if (!isDuplicateKey(err)) throw err;
        }
        // Each member's own choice decides whether this kind is emailed too.
        if (!r.email || !tenant || mutedFor.get(r.uid)?.has(notice.kind)) continue;
        const domain = tenant.domains[0];
        const email = renderBrandedEmail(tenant, {
          subject: notice.title,
          heading: notice.title,
          paragraphs: [notice.body],
          ...(domain && notice.path ? { action: { label: 'Open in the portal', url: `https://${domain}${notice.path}` } } : {}),
        });
        await deps.outbox.queue({ tenantId: notice.tenantId, to: r.email, ...email, kind: 'agent-notification', dedupeKey: `agent:${r.uid}:${notice.dedupeKey}` });
      }
      return { recipients: recipients.map((r) => r.uid) };
    },
    async list(tenantId, recipientUid, { limit = 20, before = null, unreadOnly = false } = {}) {
      await ready;
      const filter: Record<string, unknown> = { tenantId, recipientUid };
      if (before) filter._id = { $lt: before };
      if (unreadOnly) filter.readAt = null;
      const rows = await Notification.find(filter).sort({ _id: -1 }).limit(limit).lean<Row[]>();
      return rows.map(toNotification);
    },
    async unreadCount(tenantId, recipientUid) {
      await ready;
      return Notification.countDocuments({ tenantId, recipientUid, readAt: null });
    },
    async markRead(tenantId, recipientUid, id) {
      await ready;
      if (!/^[0-9a-f]{24}$/i.test(id)) return null;
      const _id = new Types.ObjectId(id);
      await Notification.updateOne({ _id, tenantId, recipientUid, readAt: null }, { $set: { readAt: new Date() } });
      const row = await Notification.findOne({ _id, tenantId, recipientUid }).lean<Row>();
      return row ? toNotification(row) : null;
    },
    async emailedKinds(tenantId, uid) {
      await ready;
      const row = await Preference.findById(prefId(tenantId, uid)).lean<PreferenceRow>();
      return AGENT_NOTIFICATION_KINDS.filter((k) => !row?.mutedEmail.includes(k));
    },
    async setEmailedKinds(tenantId, uid, kinds) {
      await ready;
      const mutedEmail = AGENT_NOTIFICATION_KINDS.filter((k) => !kinds.includes(k));
      await Preference.updateOne({ _id: prefId(tenantId, uid) }, { $set: { tenantId, uid, mutedEmail } }, { upsert: true });
      return AGENT_NOTIFICATION_KINDS.filter((k) => kinds.includes(k));
    },
    close: async () => {},
  };
}
