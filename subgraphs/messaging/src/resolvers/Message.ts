import type { Context } from '../context.ts';
import type { AttachmentRow, MessageRow } from '../loaders.ts';
import { renderMarkdown } from '../markdown.ts';
import { canReadWorkOrder, canSeeMessage } from './access.ts';

const readSince = async (m: MessageRow, ctx: Context, kind: 'CUSTOMER' | 'STAFF') => {
  const receipts = await ctx.loaders.receipts.load(String(m.workOrderId));
  return receipts.some((r) => r.readerKind === kind && r.readAt >= m.createdAt);
};

/** A message the caller may read (its work order included), or null. */
export async function visibleMessage(ctx: Context, id: string): Promise<MessageRow | null> {
  const m = (await ctx.loaders.message.load(id)) as MessageRow | null;
  if (!m || !canSeeMessage(ctx.identity, m)) return null;
  const wo = await ctx.loaders.workOrder.load(String(m.workOrderId));
  return canReadWorkOrder(ctx.identity, wo) ? m : null;
}

export const Message = {
  __resolveReference: ({ id }: { id: string }, ctx: Context) => visibleMessage(ctx, id),
  id: (m: MessageRow) => String(m._id),
  bodyHtml: (m: MessageRow) => renderMarkdown(m.body),
  author: (m: MessageRow) => (m.authorCustomerId ? { id: String(m.authorCustomerId) } : null),
  workOrder: (m: MessageRow) => ({ id: String(m.workOrderId) }),
  createdAt: (m: MessageRow) => new Date(m.createdAt).toISOString(),
  attachments: async (m: MessageRow, _: unknown, ctx: Context) => {
    if (!m.attachmentIds?.length) return [];
    const all = await ctx.loaders.attachments.load(String(m.workOrderId));
    return all.filter((a) => String(a.messageId) === String(m._id));
  },
  readByCustomer: (m: MessageRow, _: unknown, ctx: Context) => readSince(m, ctx, 'CUSTOMER'),
  readByStaff: (m: MessageRow, _: unknown, ctx: Context) => readSince(m, ctx, 'STAFF'),
};

export const Attachment = {
  id: (a: AttachmentRow) => String(a._id),
  url: (a: AttachmentRow) => `/attachments/${a._id}`,
  createdAt: (a: AttachmentRow) => new Date(a.createdAt).toISOString(),
};
