import { hasScope, isDuplicateKey, Role, type Identity } from '@wisp/shared';
import type { mongo, Types } from 'mongoose';

/** The collection of per-work-order conversation summaries (document id = work order id). */
export const SUMMARIES = 'conversationsummaries';

/** What a summary needs to know of one message. */
export interface CountedMessage {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  workOrderId: Types.ObjectId;
  internal?: boolean | null;
  authorKind: string;
  authorUid?: string | null;
  authorCustomerId?: Types.ObjectId | null;
}

/**
 * Counters of one conversation, kept on write so a list of tickets never reads their messages.
 * Customers and staff see different parts of a conversation, so it is counted per audience:
 * staff read everything; a customer reads the non-internal messages not written by a customer
 * (`shared`) plus those of their own customer record (an outage's conversation is read by
 * every affected customer, who never see each other's words).
 */
export interface ConversationSummary {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  /** Every message, internal notes included. */
  total: number;
  /** Non-internal messages written by staff or the system. */
  shared: number;
  /** Non-internal messages written by customers, per customer id. */
  byCustomer?: Record<string, number>;
  /** Every message per author login (keyed by {@link authorKey}), for "written by someone else". */
  byAuthor?: Record<string, number>;
  last?: Types.ObjectId;
  lastShared?: Types.ObjectId;
  lastByCustomer?: Record<string, Types.ObjectId>;
}

/** Login ids may hold any character; a field name may not start with `$` or contain `.`. */
export const authorKey = (uid: string) => Buffer.from(uid, 'utf8').toString('hex');

/**
 * Counts a just-stored message into its conversation's summary. Idempotent per message (the
 * summary lists the ids it has counted), so a retried send, a repeated system line or a re-run
 * seed never counts twice, and calling it again after a crash repairs a missed count. Each change
 * is one `$inc`/`$max` update, correct however many messages arrive at once.
 */
export async function recordMessage(db: mongo.Db, m: CountedMessage): Promise<void> {
  const inc: Record<string, number> = { total: 1 };
  const max: Record<string, Types.ObjectId> = { last: m._id };
  if (m.authorUid) inc[`byAuthor.${authorKey(m.authorUid)}`] = 1;
  if (!m.internal) {
    if (m.authorKind !== 'CUSTOMER') {
      inc.shared = 1;
      max.lastShared = m._id;
    } else if (m.authorCustomerId) {
      inc[`byCustomer.${m.authorCustomerId}`] = 1;
      max[`lastByCustomer.${m.authorCustomerId}`] = m._id;
    }
  }
  const summaries = db.collection<{ _id: Types.ObjectId; counted: Types.ObjectId[] }>(SUMMARIES);
  for (let attempt = 0; ; attempt++) {
    try {
      await summaries.updateOne(
        { _id: m.workOrderId, counted: { $ne: m._id } },
        { $inc: inc, $max: max, $push: { counted: m._id }, $setOnInsert: { tenantId: m.tenantId } },
        { upsert: true },
      );
      return;
    } catch (err) {
      // The summary exists and did not match: either it has counted this message already, or a
      // concurrent first message created it between our match and our insert.
      if (!isDuplicateKey(err) || attempt >= 3) throw err;
      if (await summaries.countDocuments({ _id: m.workOrderId, counted: m._id }, { limit: 1 })) return;
    }
  }
}

/**
 * Counts every stored message into the summaries once per database: for conversations written
 * before summaries were kept. Interrupted, it starts over on the next start (counting is
 * idempotent); done, it leaves a marker so later starts skip it.
 */
export async function backfillSummaries(db: mongo.Db): Promise<number> {
  const migrations = db.collection<{ _id: string; at: Date }>('migrations');
  if (await migrations.findOne({ _id: 'conversation-summaries' })) return 0;
  let n = 0;
  const cursor = db
    .collection('messages')
    .find({}, { projection: { tenantId: 1, workOrderId: 1, internal: 1, authorKind: 1, authorUid: 1, authorCustomerId: 1 } })
    .sort({ _id: 1 });
  for await (const m of cursor) {
    await recordMessage(db, m as unknown as CountedMessage);
    n++;
  }
  // Receipts from before remember only a time: count what there was to read by then.
  const receipts = db.collection('readreceipts');
  for await (const r of receipts.find({ seenOthers: { $exists: false } })) {
    const others =
      r.readerKind === 'CUSTOMER'
        ? { internal: false, authorKind: { $ne: 'CUSTOMER' } }
        : { authorUid: { $ne: r.readerUid } };
    const seenOthers = await db.collection('messages').countDocuments({ tenantId: r.tenantId, workOrderId: r.workOrderId, createdAt: { $lte: r.readAt }, ...others });
    await receipts.updateOne({ _id: r._id }, { $max: { seenOthers } });
  }
  await migrations.updateOne({ _id: 'conversation-summaries' }, { $setOnInsert: { at: new Date() } }, { upsert: true });
  return n;
}

/** One conversation as a reader sees it: how many messages, the newest one, and how many were written by others. */
export interface SummaryView {
  count: number;
  lastId: Types.ObjectId | null;
  /** Messages the reader may see, written by someone else: compare with a read receipt's `seenOthers`. */
  others: number;
}

const newer = (a: Types.ObjectId | undefined, b: Types.ObjectId | undefined) => (!a ? b : !b ? a : String(a) > String(b) ? a : b);

export function summaryView(s: ConversationSummary | null | undefined, identity: Identity): SummaryView {
  if (!s) return { count: 0, lastId: null, others: 0 };
  if (identity.role === Role.CUSTOMER) {
    const own = s.byCustomer?.[identity.customerId!] ?? 0;
    // Everything a customer reads besides their own customer's messages is written by staff or the system.
    return { count: (s.shared ?? 0) + own, lastId: newer(s.lastShared, s.lastByCustomer?.[identity.customerId!]) ?? null, others: s.shared ?? 0 };
  }
  const mine = s.byAuthor?.[authorKey(identity.uid)] ?? 0;
  if (identity.role === Role.INTEGRATOR && !hasScope(identity, 'notes:read')) {
    // Everything but internal notes: staff and system lines, and every customer's words.
    const customers = Object.values(s.byCustomer ?? {});
    const count = (s.shared ?? 0) + customers.reduce((a, b) => a + b, 0);
    const lastId = Object.values(s.lastByCustomer ?? {}).reduce<Types.ObjectId | undefined>((a, b) => newer(a, b), s.lastShared) ?? null;
    return { count, lastId, others: count - mine };
  }
  return { count: s.total ?? 0, lastId: s.last ?? null, others: (s.total ?? 0) - mine };
}
