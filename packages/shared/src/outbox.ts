import { Schema, type Connection } from 'mongoose';
import { connectMongo, type MongoOptions } from './mongo.ts';
import { outboxCollection, outboxSchema } from './outboxCollection.ts';

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

const emailSchema = outboxSchema(
  {
    subject: { type: String, required: true },
    text: { type: String, required: true },
    html: { type: String, required: true },
    from: String,
    replyTo: String,
    headers: { type: Schema.Types.Mixed, default: undefined },
  },
  ['PENDING', 'SENT', 'FAILED'],
);

export interface Outbox {
  /** Stores an email once per `dedupeKey`; `duplicate` is true when it was already there. */
  queue: (email: OutgoingEmail) => Promise<{ email: StoredEmail; duplicate: boolean }>;
  /** A tenant's emails, newest first, optionally for one recipient. */
  list: (filter: { tenantId?: string; to?: string; kind?: string; limit?: number }) => Promise<StoredEmail[]>;
  /** The oldest pending emails no sender holds right now. */
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
  const emails = outboxCollection<OutgoingEmail, StoredEmail>(conn, { model: 'Email', collection: 'emails', schema: emailSchema, address: (to) => to.toLowerCase(), ownsConnection });
  return {
    queue: async (email) => {
      const { stored, duplicate } = await emails.queue(email);
      return { email: stored, duplicate };
    },
    list: emails.list,
    pending: emails.pending,
    get: emails.get,
    markSent: (id) => emails.markSent(id),
    claim: emails.claim,
    markFailed: emails.markFailed,
    close: emails.close,
  };
}

/** Opens the shared outbox database (`${prefix}_outbox`). */
export async function openOutbox(mongo: MongoOptions): Promise<Outbox> {
  return outboxOn(await connectMongo('outbox', mongo), true);
}
