import { isDuplicateKey, isObjectId, isStaff, Role, type Identity } from '@wisp/shared';
import { newEvent, PENDING_EVENTS, type ChangeEvent } from '@wisp/events';
import { Types } from 'mongoose';
import { recordMessage } from './conversationSummary.ts';
import type { MessageRow } from './loaders.ts';
import type { Models } from './models/index.ts';
import { canSeeWorkOrder, customerIdsOf, seesInternalNotes } from './resolvers/access.ts';
import type { Services, WorkOrderFacts } from './services.ts';
import { MAX_ATTACHMENTS_PER_MESSAGE } from './storeAttachment.ts';

/** Longest message body. @default 10 000 characters */
export const MAX_MESSAGE_LENGTH = 10_000;

/** One message to post in a work order's conversation. */
export interface PostMessageInput {
  workOrderId: string;
  body: string;
  internal?: boolean | null;
  /** The sender's idempotency key: the same key again returns the first message. */
  clientMutationId: string;
  /** Files stored on this work order by the same author and not yet on a message. */
  attachmentIds?: string[] | null;
}

/** What posting needs: this subgraph's models and services, and how to read a work order (a request's loader batches it). */
export interface PostMessageDeps {
  models: Models;
  services: Services;
  workOrder: (id: string) => Promise<WorkOrderFacts | null | undefined>;
}

/** Why a message was not posted; the GraphQL mutation and the inbound mail route each word it their way. */
export type PostMessageRefusal =
  | { reason: 'invalid'; field: string; message: string; problems: { field: string; message: string }[] }
  | { reason: 'not-found' }
  | { reason: 'customer-internal' }
  | { reason: 'missing-scope'; scope: string }
  | { reason: 'not-reporter' }
  | { reason: 'not-a-writer' }
  | { reason: 'not-attachable' };

export type PostMessageResult = { ok: true; message: MessageRow; created: boolean } | ({ ok: false } & PostMessageRefusal);

/** What is wrong with a (trimmed) message body, or null: it must say something, in at most {@link MAX_MESSAGE_LENGTH} characters. */
export function bodyProblem(body: string): string | null {
  if (!body) return 'The message is empty.';
  if (body.length > MAX_MESSAGE_LENGTH) return `A message may be at most ${MAX_MESSAGE_LENGTH} characters.`;
  return null;
}

async function authorName(services: Services, identity: Identity): Promise<string> {
  if (identity.role === Role.CUSTOMER) return (await services.customers.get(identity.tenantId!, identity.customerId!))?.name ?? 'Customer';
  if (identity.tenantId) return (await services.staff.get(identity.tenantId, identity.uid))?.name ?? 'Support';
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

/**
 * Who may write in a work order's conversation, and what: a customer only in a ticket they opened
 * (an outage's conversation is shared by every affected customer, so only staff post there) and
 * never an internal note; staff of the tenant; an integrator's internal note needs `notes:read`.
 */
export function writeRefusal(identity: Identity, wo: WorkOrderFacts | null | undefined, internal: boolean): PostMessageRefusal | null {
  if (!canSeeWorkOrder(identity, wo)) return { reason: 'not-found' };
  const isCustomer = identity.role === Role.CUSTOMER;
  if (isCustomer && internal) return { reason: 'customer-internal' };
  if (internal && !seesInternalNotes(identity)) return { reason: 'missing-scope', scope: 'notes:read' };
  if (isCustomer && String(wo.reporterCustomerId) !== identity.customerId) return { reason: 'not-reporter' };
  if (!isCustomer && !isStaff(identity)) return { reason: 'not-a-writer' };
  return null;
}

/** How long a send may hold a file before writing its message (it takes well under a second). */
const LINK_LEASE_MS = 30_000;

/**
 * Posts one message: checks the input and who may write, takes the files (each by exactly one
 * message, even when retries race), writes the message with its `message.created` event in the
 * same document write, counts it into the conversation's summary, relays the event and tells
 * staff of a customer's words. Every way a message arrives (the API, a reply by email) goes
 * through here. A repeated `clientMutationId` returns the first message (`created: false`).
 */
export async function postMessage(deps: PostMessageDeps, identity: Identity, input: PostMessageInput): Promise<PostMessageResult> {
  const { models, services } = deps;
  const problems: { field: string; message: string }[] = [];
  const body = typeof input.body === 'string' ? input.body.trim() : '';
  const bodyIssue = bodyProblem(body);
  if (bodyIssue) problems.push({ field: 'body', message: bodyIssue });
  if (!/^[\w.:-]{1,100}$/.test(input.clientMutationId ?? '')) problems.push({ field: 'clientMutationId', message: 'clientMutationId must be 1–100 letters, digits or . : _ -' });
  const attachmentIds = [...new Set(input.attachmentIds ?? [])];
  if (attachmentIds.length > MAX_ATTACHMENTS_PER_MESSAGE || attachmentIds.some((id) => !isObjectId(id))) {
    problems.push({ field: 'attachmentIds', message: `Up to ${MAX_ATTACHMENTS_PER_MESSAGE} attachment ids.` });
  }
  if (problems.length) return { ok: false, reason: 'invalid', field: problems[0]!.field, message: problems[0]!.message, problems };

  const wo = await deps.workOrder(isObjectId(input.workOrderId) ? input.workOrderId : '');
  const refusal = writeRefusal(identity, wo, !!input.internal);
  if (refusal) return { ok: false, ...refusal };
  // writeRefusal returned null: the work order is there and visible.
  const ticket = wo!;
  const isCustomer = identity.role === Role.CUSTOMER;

  const { Message, Attachment } = models;
  const key = { tenantId: ticket.tenantId, authorUid: identity.uid, clientMutationId: input.clientMutationId };
  // A retry also finishes counting the first attempt's message, should that have been cut short.
  const repeat = async (m: MessageRow | null): Promise<PostMessageResult> => {
    if (!m) throw new Error('A send that lost a race found no first message.');
    await recordMessage(Message.db.db!, m);
    return { ok: true, message: m, created: false };
  };
  const existing = await Message.findOne(key).lean<MessageRow>();
  if (existing) return repeat(existing);

  const notAttachable = (): PostMessageResult => ({ ok: false, reason: 'not-attachable' });
  if (attachmentIds.length) {
    const files = await Attachment.find(
      { _id: { $in: attachmentIds.map((id) => new Types.ObjectId(id)) }, workOrderId: ticket._id, uploaderUid: identity.uid, complete: true },
      { messageId: 1 },
    ).lean();
    if (files.length !== attachmentIds.length) return notAttachable();
    if (files.some((f) => f.messageId)) {
      // Taken already: by this very send (a retry that lost the race) or by another message.
      const original = await Message.findOne(key).lean<MessageRow>();
      if (original) return repeat(original);
      return notAttachable();
    }
  }
  const internal = !isCustomer && !!input.internal;
  const messageId = new Types.ObjectId();
  const sendKey = `${String(ticket.tenantId)}:${identity.uid}:${input.clientMutationId}`;
  const release = () => models.AttachmentLink.deleteMany({ messageId });
  const claim = async (id: string): Promise<MessageRow | 'claimed' | 'taken'> => {
    // Retries of one send race for the same files: the loser waits for the winner's message,
    // or claims the file itself if the winner gave it back (it failed).
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      try {
        await models.AttachmentLink.create({ _id: new Types.ObjectId(id), messageId, sendKey, at: new Date() });
        return 'claimed';
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      const link = await models.AttachmentLink.findById(id).lean();
      if (link && Date.now() - (link.at?.getTime() ?? 0) > LINK_LEASE_MS && !(await Message.exists({ _id: link.messageId }))) {
        // The send that took the file died before writing its message: the hold lapses.
        await models.AttachmentLink.deleteOne({ _id: link._id, messageId: link.messageId });
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
    if (outcome === 'taken') return notAttachable();
    return repeat(outcome);
  }
  let message: MessageRow;
  const author = await authorName(services, identity);
  try {
    message = (
      await Message.create({
        _id: messageId,
        ...key,
        workOrderId: ticket._id,
        body,
        authorKind: isCustomer ? 'CUSTOMER' : 'AGENT',
        authorName: author,
        ...(isCustomer ? { authorCustomerId: new Types.ObjectId(identity.customerId) } : {}),
        internal,
        attachmentIds: attachmentIds.map((id) => new Types.ObjectId(id)),
        [PENDING_EVENTS]: [
          messageEvent(ticket, messageId, internal ? 'internal_note_added' : 'message_added', { authorKind: isCustomer ? 'CUSTOMER' : 'AGENT', internal, attachmentCount: attachmentIds.length, body, authorName: author }),
        ],
      })
    ).toObject() as unknown as MessageRow;
    delete (message as unknown as Record<string, unknown>)[PENDING_EVENTS];
  } catch (err) {
    await release();
    if (!isDuplicateKey(err)) throw err;
    return repeat(await Message.findOne(key).lean<MessageRow>());
  }
  await recordMessage(Message.db.db!, message);
  if (attachmentIds.length) {
    await Attachment.updateMany({ _id: { $in: attachmentIds.map((id) => new Types.ObjectId(id)) } }, { $set: { messageId: message._id, internal } });
  }
  await services.relay.flush(Message, message._id);
  if (isCustomer) {
    // Who hears of it follows the ticket's assignee as it now stands (assigned a moment ago, perhaps).
    await services.workOrders.settled();
    const [current] = await services.workOrders.many([String(ticket._id)]);
    await services.notifier.notify({
      tenantId: String(ticket.tenantId),
      kind: 'CUSTOMER_MESSAGE',
      assigneeUid: (current ?? ticket).assigneeUid ?? null,
      workOrderId: String(ticket._id),
      title: `New message on ${ticket.number}: ${ticket.title}`,
      body: `${message.authorName}: ${body.length > 500 ? `${body.slice(0, 500)}…` : body}`,
      dedupeKey: `message:${message._id}`,
      path: `/staff/tickets/${ticket._id}`,
    });
  }
  return { ok: true, message, created: true };
}
