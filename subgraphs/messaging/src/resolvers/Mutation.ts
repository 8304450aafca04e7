import type { AgentNotificationKind } from '../agentNotifications.ts';
import { badInput, codedError, ErrorCode, forbidden, type Identity, isDuplicateKey, isObjectId, isStaff, notFound, Role, unauthenticated } from '@wisp/shared';
import { newEvent, PENDING_EVENTS, withEvents, type ChangeEvent } from '@wisp/events';
import { Types } from 'mongoose';
import type { Context } from '../context.ts';
import { recordMessage, summaryView } from '../conversationSummary.ts';
import type { MessageRow } from '../loaders.ts';
import type { WorkOrderFacts } from '../services.ts';
import { canSeeWorkOrder, customerIdsOf, seesInternalNotes } from './access.ts';

interface SendMessageInput {
  workOrderId: string;
  body: string;
  internal?: boolean | null;
  clientMutationId: string;
  attachmentIds?: string[] | null;
}

/** Longest message body. @default 10 000 characters */
export const MAX_MESSAGE_LENGTH = 10_000;

async function authorName(ctx: Context, identity: Identity): Promise<string> {
  if (identity.role === Role.CUSTOMER) return (await ctx.services.customers.get(identity.tenantId!, identity.customerId!))?.name ?? 'Customer';
  if (identity.tenantId) return (await ctx.services.staff.get(identity.tenantId, identity.uid))?.name ?? 'Support';
  return 'Platform operations';
}

/** The event of a new message in a work order's conversation. */
export function messageEvent(
  wo: Pick<WorkOrderFacts, '_id' | 'tenantId' | 'type' | 'reporterCustomerId' | 'affectedCustomerIds'>,
  messageId: Types.ObjectId,
  kind: string,
  facts: { authorKind: string; internal: boolean; attachmentCount: number; body?: string; authorName?: string },
): ChangeEvent {
  const { body, authorName, ...rest } = facts;
  // Notifications quote the start of a public message; an internal note's text never leaves staff.
  const shown = !facts.internal && body ? { excerpt: body.length > 500 ? `${body.slice(0, 499)}…` : body, authorName: authorName ?? null } : { excerpt: null, authorName: null };
  return newEvent('message.created', {
    tenantId: String(wo.tenantId),
    entityId: String(messageId),
    kind,
    workOrderId: String(wo._id),
    customerIds: customerIdsOf(wo),
    internal: facts.internal,
    outage: wo.type === 'OUTAGE',
    payload: { workOrderId: String(wo._id), ...rest, ...shown },
  });
}

/** How long a send may hold a file before writing its message (it takes well under a second). */
const LINK_LEASE_MS = 30_000;

export const Mutation = {
  sendMessage: async (_: unknown, { input }: { input: SendMessageInput }, ctx: Context) => {
    const identity = ctx.identity;
    if (!identity) throw unauthenticated();
    const problems: { field: string; message: string }[] = [];
    const body = typeof input.body === 'string' ? input.body.trim() : '';
    if (!body) problems.push({ field: 'body', message: 'The message is empty.' });
    if (body.length > MAX_MESSAGE_LENGTH) problems.push({ field: 'body', message: `A message may be at most ${MAX_MESSAGE_LENGTH} characters.` });
    if (!/^[\w.:-]{1,100}$/.test(input.clientMutationId ?? '')) problems.push({ field: 'clientMutationId', message: 'clientMutationId must be 1–100 letters, digits or . : _ -' });
    const attachmentIds = [...new Set(input.attachmentIds ?? [])];
    if (attachmentIds.length > 10 || attachmentIds.some((id) => !isObjectId(id))) problems.push({ field: 'attachmentIds', message: 'Up to 10 attachment ids.' });
    if (problems.length) throw codedError(ErrorCode.BAD_USER_INPUT, problems[0]!.message, { field: problems[0]!.field, problems });

    const wo = await ctx.loaders.workOrder.load(isObjectId(input.workOrderId) ? input.workOrderId : '');
    if (!canSeeWorkOrder(identity, wo)) throw notFound('Work order');
    const isCustomer = identity.role === Role.CUSTOMER;
    if (isCustomer && input.internal) throw forbidden('Customers cannot write internal notes.');
    if (input.internal && !seesInternalNotes(identity)) throw codedError(ErrorCode.FORBIDDEN, 'This API key lacks the scope notes:read, which internal notes need.', { scope: 'notes:read' });
    // An outage's conversation is shared by every affected customer: only staff post there.
    if (isCustomer && String(wo.reporterCustomerId) !== identity.customerId) throw forbidden('Only the customer who opened a ticket may write in it.');
    if (!isCustomer && !isStaff(identity)) throw forbidden('Only staff and customers write in conversations.');

    const { Message, Attachment } = ctx.models;
    const key = { tenantId: wo.tenantId, authorUid: identity.uid, clientMutationId: input.clientMutationId };
    // A retry also finishes counting the first attempt's message, should that have been cut short.
    const counted = async (m: MessageRow | null) => {
      if (m) await recordMessage(Message.db.db!, m);
      return m;
    };
    const existing = await Message.findOne(key).lean<MessageRow>();
    if (existing) return counted(existing);

    const notAttachable = () => badInput('Attach only files you uploaded to this ticket and have not attached yet.', 'attachmentIds');
    if (attachmentIds.length) {
      const files = await Attachment.find(
        { _id: { $in: attachmentIds.map((id) => new Types.ObjectId(id)) }, workOrderId: wo._id, uploaderUid: identity.uid, complete: true },
        { messageId: 1 },
      ).lean();
      if (files.length !== attachmentIds.length) throw notAttachable();
      if (files.some((f) => f.messageId)) {
        // Taken already: by this very send (a retry that lost the race) or by another message.
        const original = await Message.findOne(key).lean<MessageRow>();
        if (original) return counted(original);
        throw notAttachable();
      }
    }
    const internal = !isCustomer && !!input.internal;
    const messageId = new Types.ObjectId();
    const sendKey = `${String(wo.tenantId)}:${identity.uid}:${input.clientMutationId}`;
    const release = () => ctx.models.AttachmentLink.deleteMany({ messageId });
    const claim = async (id: string): Promise<MessageRow | 'claimed' | 'taken'> => {
      // Retries of one send race for the same files: the loser waits for the winner's message,
      // or claims the file itself if the winner gave it back (it failed).
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        try {
          await ctx.models.AttachmentLink.create({ _id: new Types.ObjectId(id), messageId, sendKey, at: new Date() });
          return 'claimed';
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
        }
        const link = await ctx.models.AttachmentLink.findById(id).lean();
        if (link && Date.now() - (link.at?.getTime() ?? 0) > LINK_LEASE_MS && !(await Message.exists({ _id: link.messageId }))) {
          // The send that took the file died before writing its message: the hold lapses.
          await ctx.models.AttachmentLink.deleteOne({ _id: link._id, messageId: link.messageId });
          continue;
        }
        if (link && link.sendKey !== sendKey) return 'taken';
        const original = await Message.findOne(key).lean<MessageRow>();
        if (original) return original;
        if (link) await new Promise((r) => setTimeout(r, 50));
      }
      return 'taken';
    };
    // One order for every retry, so two of them never each hold a file the other waits for.
    for (const id of [...attachmentIds].sort()) {
      const outcome = await claim(id);
      if (outcome === 'claimed') continue;
      await release();
      if (outcome === 'taken') throw notAttachable();
      return counted(outcome);
    }
    let message: MessageRow;
    const author = await authorName(ctx, identity);
    try {
      message = (
        await Message.create({
          _id: messageId,
          ...key,
          workOrderId: wo._id,
          body,
          authorKind: isCustomer ? 'CUSTOMER' : 'AGENT',
          authorName: author,
          ...(isCustomer ? { authorCustomerId: new Types.ObjectId(identity.customerId) } : {}),
          internal,
          attachmentIds: attachmentIds.map((id) => new Types.ObjectId(id)),
          [PENDING_EVENTS]: [
            messageEvent(wo, messageId, internal ? 'internal_note_added' : 'message_added', { authorKind: isCustomer ? 'CUSTOMER' : 'AGENT', internal, attachmentCount: attachmentIds.length, body, authorName: author }),
          ],
        })
      ).toObject() as unknown as MessageRow;
      delete (message as unknown as Record<string, unknown>)[PENDING_EVENTS];
    } catch (err) {
      await release();
      if (!isDuplicateKey(err)) throw err;
      return counted(await Message.findOne(key).lean<MessageRow>());
    }
    await recordMessage(Message.db.db!, message);
    if (attachmentIds.length) {
      await Attachment.updateMany({ _id: { $in: attachmentIds.map((id) => new Types.ObjectId(id)) } }, { $set: { messageId: message._id, internal } });
    }
    await ctx.services.relay.flush(Message, message._id);
    if (isCustomer) {
      // Who hears of it follows the ticket's assignee as it now stands (assigned a moment ago, perhaps).
      await ctx.services.workOrders.settled();
      const [current] = await ctx.services.workOrders.many([String(wo._id)]);
      await ctx.services.notifier.notify({
        tenantId: String(wo.tenantId),
        kind: 'CUSTOMER_MESSAGE',
        assigneeUid: (current ?? wo).assigneeUid ?? null,
        workOrderId: String(wo._id),
        title: `New message on ${wo.number}: ${wo.title}`,
        body: `${message.authorName}: ${body.length > 500 ? `${body.slice(0, 500)}…` : body}`,
        dedupeKey: `message:${message._id}`,
        path: `/staff/tickets/${wo._id}`,
      });
    }
    return message;
  },

  markConversationRead: async (_: unknown, { workOrderId }: { workOrderId: string }, ctx: Context) => {
    const identity = ctx.identity;
    if (!identity) throw unauthenticated();
    const wo = await ctx.loaders.workOrder.load(isObjectId(workOrderId) ? workOrderId : '');
    if (!canSeeWorkOrder(identity, wo)) throw notFound('Work order');
    const readerKind = identity.role === Role.CUSTOMER ? 'CUSTOMER' : 'STAFF';
    const receipt = { workOrderId: wo._id, readerUid: identity.uid };
    // What was there to read, then when: a message counted in the summary was written before `readAt`.
    const { others } = summaryView(await ctx.loaders.summary.load(String(wo._id)), identity);
    // The receipt's entity id is the conversation's (its work order): live clients reload that conversation.
    const read = newEvent('conversation.read', {
      tenantId: String(wo.tenantId),
      entityId: String(wo._id),
      kind: 'read_receipt',
      workOrderId: String(wo._id),
      customerIds: customerIdsOf(wo),
      internal: false,
      outage: wo.type === 'OUTAGE',
      payload: { workOrderId: String(wo._id), readerKind },
    });
    await ctx.models.ReadReceipt.updateOne(
      receipt,
      withEvents(
        {
          $set: { tenantId: wo.tenantId, readerKind },
          // Concurrent marks of one reader never move the receipt backwards.
          $max: { readAt: new Date(), seenOthers: others },
        },
        [read],
      ),
      { upsert: true },
    );
    ctx.loaders.receipts.clear(String(wo._id));
    await ctx.services.relay.flush(ctx.models.ReadReceipt, receipt);
    return { id: String(wo._id) };
  },

  markAgentNotificationRead: async (_: unknown, { id }: { id: string }, ctx: Context) => {
    const identity = ctx.identity;
    if (!identity) throw unauthenticated();
    if (!isStaff(identity) || !identity.tenantId) throw forbidden('Only staff receive agent notifications.');
    const n = await ctx.services.notifier.markRead(identity.tenantId, identity.uid, id);
    if (!n) throw notFound('Notification');
    return n;
  },

  updateAgentNotificationPreferences: async (_: unknown, { emailKinds }: { emailKinds: AgentNotificationKind[] }, ctx: Context) => {
    const identity = ctx.identity;
    if (!identity) throw unauthenticated();
    // Integrators are not people who read mail; the preference is the signed-in member's own.
    if (!isStaff(identity) || !identity.tenantId || identity.role === Role.INTEGRATOR) throw forbidden('Only staff receive agent notifications.');
    return { emailKinds: await ctx.services.notifier.setEmailedKinds(identity.tenantId, identity.uid, emailKinds) };
  },
};
