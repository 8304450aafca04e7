import { randomUUID } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey } from './duplicateKey.ts';
import { connectMongo, type MongoOptions } from './mongo.ts';

/**
 * Outgoing mail. Every email is stored here first (rendered with the tenant's branding); a
 * sender delivers pending ones when SMTP is configured, and in development the outbox itself is
 * what staff and tests read.
 */
export interface OutgoingEmail {
  tenantId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** What kind of mail: "welcome", "password-reset", "agent-notification", … */
  kind: string;
  /**
   * Idempotency key: queueing the same key twice stores one email (a retried action never
   * sends twice). @default a fresh random key
   */
  dedupeKey?: string;
  /** The sender as shown, e.g. `"Skyline Wireless" <support@skyline.example>`. @default the install's MAIL_FROM */
  from?: string | null;
  /** Where replies go (reply by email: an address scoped to one ticket). */
  replyTo?: string | null;
  /** Further header fields, e.g. List-Unsubscribe and List-Unsubscribe-Post. */
  headers?: Record<string, string> | null;
}

export interface StoredEmail extends OutgoingEmail {
  id: string;
  dedupeKey: string;
  status: 'PENDING' | 'SENT' | 'FAILED';
  createdAt: Date;
  sentAt?: Date | null;
  error?: string | null;
}

const emailSchema = new Schema(
  {
    tenantId: { type: String, required: true },
    to: { type: String, required: true },
    subject: { type: String, required: true },
    text: { type: String, required: true },
    html: { type: String, required: true },
    kind: { type: String, required: true },
    dedupeKey: { type: String, required: true },
    from: String,
    replyTo: String,
    headers: { type: Schema.Types.Mixed, default: undefined },
    status: { type: String, enum: ['PENDING', 'SENT', 'FAILED'], default: 'PENDING', required: true },
    sentAt: Date,
    error: String,
    /** Set while a sender holds the email (see `claim`). */
    lockedUntil: Date,
  },
  { timestamps: true, versionKey: false },
);
emailSchema.index({ dedupeKey: 1 }, { unique: true });
emailSchema.index({ tenantId: 1, _id: -1 });
emailSchema.index({ status: 1, _id: 1 });

type EmailRow = Omit<StoredEmail, 'id'> & { _id: { toString(): string } };
const toStored = ({ _id, ...rest }: EmailRow): StoredEmail => ({ ...rest, id: String(_id) });

export interface Outbox {
  /** Stores an email once per `dedupeKey`; `duplicate` is true when it was already there. */
  queue: (email: OutgoingEmail) => Promise<{ email: StoredEmail; duplicate: boolean }>;
  /** A tenant's emails, newest first, optionally for one recipient. */
  list: (filter: { tenantId?: string; to?: string; kind?: string; limit?: number }) => Promise<StoredEmail[]>;
  pending: (limit?: number) => Promise<StoredEmail[]>;
  /** One email by id, or null. */
  get: (id: string) => Promise<StoredEmail | null>;
  markSent: (id: string) => Promise<void>;
  /**
   * Reserves a pending email for one sender for `leaseMs` (default 5 minutes); false when another
   * sender holds it or it is no longer pending. Two senders never both win.
   */
  claim: (id: string, leaseMs?: number) => Promise<boolean>;
  markFailed: (id: string, error: string) => Promise<void>;
  close: () => Promise<void>;
}

export function outboxOn(conn: Connection, ownsConnection = false): Outbox {
  const Email: Model<EmailRow> = (conn.models.Email as Model<EmailRow>) ?? conn.model<EmailRow>('Email', emailSchema, 'emails');
  const ready = Email.init().then(() => Email.createIndexes());
  return {
    async queue(email) {
      await ready;
      const dedupeKey = email.dedupeKey ?? randomUUID();
      try {
        const created = await Email.create({ ...email, to: email.to.toLowerCase(), dedupeKey });
        return { email: toStored(created.toObject() as EmailRow), duplicate: false };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const existing = await Email.findOne({ dedupeKey }).lean<EmailRow>();
        return { email: toStored(existing!), duplicate: true };
      }
    },
    async list({ tenantId, to, kind, limit = 50 }) {
      await ready;
      const filter: Record<string, unknown> = {};
      if (tenantId) filter.tenantId = tenantId;
      if (to) filter.to = to.toLowerCase();
      if (kind) filter.kind = kind;
      const rows = await Email.find(filter).sort({ _id: -1 }).limit(Math.min(limit, 200)).lean<EmailRow[]>();
      return rows.map(toStored);
    },
    async pending(limit = 50) {
      await ready;
      return (await Email.find({ status: 'PENDING' }).sort({ _id: 1 }).limit(limit).lean<EmailRow[]>()).map(toStored);
    },
    async get(id) {
      await ready;
      if (!/^[0-9a-f]{24}$/i.test(id)) return null;
      const row = await Email.findById(id).lean<EmailRow>();
      return row ? toStored(row) : null;
    },
    async claim(id, leaseMs = 5 * 60_000) {
      await ready;
      const now = new Date();
      // One conditional update decides between racing senders; a sender that dies leaves a lease
      // that simply runs out.
      const res = await Email.updateOne(
        { _id: id, status: 'PENDING', $or: [{ lockedUntil: null }, { lockedUntil: { $lte: now } }] },
        { $set: { lockedUntil: new Date(now.getTime() + leaseMs) } },
      );
      return res.modifiedCount === 1;
    },
    async markSent(id) {
      await Email.updateOne({ _id: id, status: 'PENDING' }, { $set: { status: 'SENT', sentAt: new Date() } });
    },
    async markFailed(id, error) {
      await Email.updateOne({ _id: id }, { $set: { status: 'FAILED', error: error.slice(0, 500) } });
    },
    close: async () => {
      if (ownsConnection) await conn.close();
    },
  };
}

/** Opens the shared outbox database (`${prefix}_outbox`). */
export async function openOutbox(mongo: MongoOptions): Promise<Outbox> {
  return outboxOn(await connectMongo('outbox', mongo), true);
}
