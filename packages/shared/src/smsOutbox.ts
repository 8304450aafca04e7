import type { Connection } from 'mongoose';
import { connectMongo, type MongoOptions } from './mongo.ts';
import { outboxCollection, outboxSchema } from './outboxCollection.ts';

/**
 * Outgoing text messages, beside the mail in the outbox database. Every text is stored here
 * first; a sender hands pending ones to the SMS provider when one is configured, and the
 * provider's status callbacks say whether they arrived. In development the outbox itself is what
 * staff and tests read.
 */
export interface OutgoingSms {
  tenantId: string;
  /** The recipient in E.164 (`+15551234567`). */
  to: string;
  /** The sender: a number in E.164, an alphanumeric sender id, or a provider's messaging-service id. */
  from: string;
  body: string;
  /** What kind of text: "notification-…", "sms-stop-confirmation", … */
  kind: string;
  /** Idempotency key: queueing the same key twice stores one text. @default a fresh random key */
  dedupeKey?: string;
}

export const SMS_STATUSES = ['PENDING', 'SENT', 'DELIVERED', 'FAILED', 'UNDELIVERED'] as const;
export type SmsStatus = (typeof SMS_STATUSES)[number];

export interface StoredSms extends OutgoingSms {
  id: string;
  dedupeKey: string;
  /** PENDING until handed to the provider (SENT); DELIVERED, UNDELIVERED or FAILED once it reports back. */
  status: SmsStatus;
  /** The provider's id of the message (Twilio's MessageSid), once sent. */
  providerMessageId?: string | null;
  error?: string | null;
  /** Failed attempts to hand it over that were retried. */
  attempts?: number | null;
  createdAt: Date;
  sentAt?: Date | null;
  deliveredAt?: Date | null;
}

export interface SmsOutbox {
  /** Stores a text once per `dedupeKey`; `duplicate` is true when it was already there. */
  queue: (sms: OutgoingSms) => Promise<{ sms: StoredSms; duplicate: boolean }>;
  /** Newest first, optionally of one tenant, recipient or kind. */
  list: (filter: { tenantId?: string; to?: string; kind?: string; limit?: number }) => Promise<StoredSms[]>;
  get: (id: string) => Promise<StoredSms | null>;
  /** The oldest pending texts no sender holds right now (retries wait for their time). */
  pending: (limit?: number) => Promise<StoredSms[]>;
  /**
   * Reserves a pending text for one sender for `leaseMs` (default 5 minutes); false when another
   * sender holds it or it is no longer pending. Two senders never both win.
   */
  claim: (id: string, leaseMs?: number) => Promise<boolean>;
  /** Handed to the provider, which knows it as `providerMessageId`. */
  markSent: (id: string, providerMessageId: string) => Promise<void>;
  markFailed: (id: string, error: string) => Promise<void>;
  /** A passing failure: the text stays pending and no sender takes it for `delayMs`. */
  retryLater: (id: string, error: string, delayMs: number) => Promise<void>;
  /**
   * What the provider reported of a sent text. DELIVERED is final: a late or repeated report
   * does not undo it. Null when no text has that provider id.
   */
  markStatus: (providerMessageId: string, status: 'DELIVERED' | 'UNDELIVERED' | 'FAILED', error?: string | null) => Promise<StoredSms | null>;
  close: () => Promise<void>;
}

const smsSchema = outboxSchema(
  {
    from: { type: String, required: true },
    body: { type: String, required: true },
    providerMessageId: String,
    deliveredAt: Date,
  },
  SMS_STATUSES,
);
smsSchema.index({ providerMessageId: 1 });

/** A number as stored and looked up: without spaces, dashes, dots or brackets. */
const compact = (number: string) => number.trim().replace(/[\s().-]/g, '');
const E164 = /^\+[1-9]\d{6,14}$/;

export function smsOutboxOn(conn: Connection, ownsConnection = false): SmsOutbox {
  const texts = outboxCollection<OutgoingSms, StoredSms>(conn, { model: 'Sms', collection: 'sms', schema: smsSchema, address: compact, ownsConnection });
  return {
    async queue(sms) {
      // A number that is not E.164 is the caller's mistake, and no provider would take it.
      if (!E164.test(compact(sms.to))) throw new Error(`Texts go to numbers in E.164 form (+15551234567), not "${sms.to}".`);
      const { stored, duplicate } = await texts.queue({ ...sms, from: sms.from.trim() });
      return { sms: stored, duplicate };
    },
    list: texts.list,
    get: texts.get,
    pending: texts.pending,
    claim: texts.claim,
    markSent: (id, providerMessageId) => texts.markSent(id, { providerMessageId, error: null }),
    markFailed: texts.markFailed,
    retryLater: texts.retryLater,
    async markStatus(providerMessageId, status, error) {
      const set: Record<string, unknown> = { status };
      if (status === 'DELIVERED') set.deliveredAt = new Date();
      if (error) set.error = error.slice(0, 500);
      const row = (await texts.model.findOneAndUpdate({ providerMessageId, status: { $ne: 'DELIVERED' } }, { $set: set }, { new: true }).lean()) ?? (await texts.model.findOne({ providerMessageId }).lean());
      return row ? texts.toStored(row as never) : null;
    },
    close: texts.close,
  };
}

/** Opens the SMS outbox in the shared outbox database (`${prefix}_outbox`, collection `sms`). */
export async function openSmsOutbox(mongo: MongoOptions): Promise<SmsOutbox> {
  return smsOutboxOn(await connectMongo('outbox', mongo), true);
}
