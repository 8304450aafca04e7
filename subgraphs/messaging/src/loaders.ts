import { byIdLoader, type Identity } from '@wisp/shared';
import DataLoader from 'dataloader';
import { Types } from 'mongoose';
import type { Models } from './models/index.ts';
import { SUMMARIES, type ConversationSummary } from './conversationSummary.ts';
import { canReadWorkOrder, seesInternalNotes, visibleMessages } from './resolvers/access.ts';
import type { Services, WorkOrderFacts } from './services.ts';

type Lean<T> = T & { _id: Types.ObjectId; createdAt: Date };
export type MessageRow = Lean<import('./models/index.ts').MessageDoc>;
export type AttachmentRow = Lean<import('./models/index.ts').AttachmentDoc>;

/** One page of one work order's conversation: `limit + 1` messages after the `after` id, oldest first. */
export interface ConversationPage {
  id: string;
  limit: number;
  after: Types.ObjectId | null;
}

/** Rows by the work order they belong to, in their order: one pass, however many work orders a batch holds. */
function byWorkOrder<T extends { workOrderId: unknown }>(rows: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const id = String(r.workOrderId);
    const list = out.get(id);
    if (list) list.push(r);
    else out.set(id, [r]);
  }
  return out;
}

/**
 * Per-request loaders. A conversation, its summary, its read receipts and its files load for every
 * work order of a batch at once: one `$in` query each, however many tickets a page lists. Lists
 * read summaries (counts, newest message), never whole conversations.
 */
export function createLoaders(models: Models, identity: Identity | null, services: Services) {
  const workOrder = new DataLoader<string, WorkOrderFacts | null>(async (ids) => {
    const rows = await services.workOrders.many([...ids]);
    const byId = new Map(rows.map((r) => [String(r._id), r]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  /** Work orders the caller may see, among those asked for. */
  const visibleIds = async (ids: readonly string[]) => {
    const facts = await workOrder.loadMany([...ids]);
    return ids.filter((_, i) => canReadWorkOrder(identity, facts[i] as WorkOrderFacts | null));
  };

  // Keyed by page: one ticket's page reads only its `limit + 1` messages; a list of tickets asking
  // for the same page shares one `$in` query (which cannot cap rows per ticket).
  const conversation = new DataLoader<ConversationPage, MessageRow[], string>(
    async (keys) => {
      if (!identity) return keys.map(() => []);
      const visible = new Set(await visibleIds([...new Set(keys.map((k) => k.id))]));
      const groups = new Map<string, ConversationPage[]>();
      for (const k of keys) {
        if (!visible.has(k.id)) continue;
        const g = `${k.limit}|${k.after ?? ''}`;
        const group = groups.get(g);
        if (group) group.push(k);
        else groups.set(g, [k]);
      }
      const results = new Map<ConversationPage, MessageRow[]>();
      for (const group of groups.values()) {
        const { limit, after } = group[0]!;
        const rows = await models.Message.find({
          $and: [visibleMessages(identity), { workOrderId: { $in: group.map((k) => new Types.ObjectId(k.id)) } }, after ? { _id: { $gt: after } } : {}],
        })
          .sort({ _id: 1 })
          .limit(group.length === 1 ? limit + 1 : 0)
          .batchSize(10_000)
          .lean<MessageRow[]>();
        const byId = byWorkOrder(rows);
        for (const k of group) results.set(k, (byId.get(k.id) ?? []).slice(0, limit + 1));
      }
      return keys.map((k) => results.get(k) ?? []);
    },
    { cacheKeyFn: (k) => `${k.id}|${k.limit}|${k.after ?? ''}` },
  );

  const summary = new DataLoader<string, ConversationSummary | null>(async (ids) => {
    if (!identity) return ids.map(() => null);
    const visible = await visibleIds(ids);
    const rows = visible.length
      ? ((await models.Message.db
          .collection(SUMMARIES)
          .find({ _id: { $in: visible.map((id) => new Types.ObjectId(id)) } }, { projection: { counted: 0 } })
          .toArray()) as unknown as ConversationSummary[])
      : [];
    const byId = new Map(rows.map((r) => [String(r._id), r]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  const receipts = new DataLoader<string, { readerUid: string; readerKind: string; readAt: Date; seenOthers?: number }[]>(async (ids) => {
    const rows = await models.ReadReceipt.find({ workOrderId: { $in: ids.filter((id) => /^[0-9a-f]{24}$/i.test(id)).map((id) => new Types.ObjectId(id)) } })
      .batchSize(10_000)
      .lean();
    const byId = byWorkOrder(rows);
    return ids.map((id) => byId.get(id) ?? []);
  });

  const attachments = new DataLoader<string, AttachmentRow[]>(async (ids) => {
    if (!identity) return ids.map(() => []);
    const visible = await visibleIds(ids);
    const staffView = seesInternalNotes(identity);
    const rows = visible.length
      ? await models.Attachment.find({
          workOrderId: { $in: visible.map((id) => new Types.ObjectId(id)) },
          complete: true,
          ...(staffView ? {} : { internal: false }),
        })
          .sort({ _id: 1 })
          .batchSize(10_000)
          .lean<AttachmentRow[]>()
      : [];
    const byId = byWorkOrder(rows);
    return ids.map((id) => byId.get(id) ?? []);
  });

  // The first page of each conversation asked for in this request. A list that asks several for
  // the same page reads them whole in one query (see above), so a ticket's newest message is
  // already among those rows and its `lastMessage` need not be read again.
  const firstPages = new Map<string, Promise<MessageRow[]>>();
  const page = (key: ConversationPage): Promise<MessageRow[]> => {
    const rows = conversation.load(key);
    if (!key.after && !firstPages.has(key.id)) firstPages.set(key.id, rows.catch(() => []));
    return rows;
  };
  const message = byIdLoader(models.Message);
  /** One message of a work order's conversation: from a first page this request loads anyway, else by id. */
  const messageOf = async (workOrderId: string, messageId: string): Promise<MessageRow | null> => {
    const pending = firstPages.get(workOrderId);
    const loaded = pending && (await pending).find((m) => String(m._id) === messageId);
    return loaded ?? ((await message.load(messageId)) as MessageRow | null);
  };

  return { message, messageOf, workOrder, conversation, page, summary, receipts, attachments };
}
export type Loaders = ReturnType<typeof createLoaders>;
