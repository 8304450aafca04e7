import { PENDING_EVENTS, startConsumer, type Consumer, type EventLog, type PayloadOf, type Relay, type StoredEvent } from '@wisp/events';
import { isDuplicateKey, type Logger } from '@wisp/shared';
import { Types, type Connection } from 'mongoose';
import type { Models } from './models/index.ts';
import { recordMessage } from './conversationSummary.ts';
import type { MessageRow } from './loaders.ts';
import { messageEvent } from './postMessage.ts';

const LABELS: Record<string, string> = {
  OPEN: 'Open',
  IN_PROGRESS: 'In progress',
  WAITING_ON_CUSTOMER: 'Waiting on customer',
  SCHEDULED: 'Scheduled',
  EN_ROUTE: 'En route',
  ON_SITE: 'On site',
  RESOLVED: 'Resolved',
  CLOSED: 'Closed',
  CANCELLED: 'Cancelled',
};
const label = (status: string) => LABELS[status] ?? status;

/** The conversation line for a work-order fact, and the key that makes it once per fact. */
export function systemLineFor(event: StoredEvent): { body: string; key: string } | null {
  if (event.type === 'ticket.statusChanged') {
    const p = event.payload as PayloadOf<'ticket.statusChanged'>;
    const base = p.from ? `Status changed from ${label(p.from)} to ${label(p.to)}.` : `Status set to ${label(p.to)}.`;
    return { body: p.note ? `${base} ${p.note}` : base, key: `status:${event.entityId}:${p.change + 1}` };
  }
  if (event.type === 'ticket.visitScheduled') {
    const p = event.payload as PayloadOf<'ticket.visitScheduled'>;
    return { body: p.windowStart && p.windowEnd ? `Visit scheduled: ${p.windowStart} – ${p.windowEnd}.` : 'Visit window cleared.', key: `schedule:${event.entityId}:${event.id}` };
  }
  return null;
}

/**
 * Writes the system's own lines into conversations (status changes, visit windows) when the
 * work-order subgraph publishes those facts: the conversation is this subgraph's data, so it is
 * the one that writes it. Each line is keyed by the fact it reports, so a redelivered event
 * writes nothing twice; the line's own message event is saved with it.
 */
export function startSystemLines(deps: { conn: Connection; models: Models; log: EventLog; relay: Relay; logger: Logger }): Promise<Consumer> {
  const { Message } = deps.models;
  return startConsumer({
    name: 'messaging.system-lines',
    conn: deps.conn,
    log: deps.log,
    types: ['ticket.statusChanged', 'ticket.visitScheduled'],
    logger: deps.logger,
    async handle(event) {
      const line = systemLineFor(event);
      if (!line) return;
      const facts = event.payload as PayloadOf<'ticket.statusChanged'>;
      const wo = {
        _id: new Types.ObjectId(event.entityId),
        tenantId: new Types.ObjectId(event.tenantId),
        type: facts.type,
        reporterCustomerId: facts.reporterCustomerId ? new Types.ObjectId(facts.reporterCustomerId) : null,
        affectedCustomerIds: facts.affectedCustomerIds.map((id) => new Types.ObjectId(id)),
      };
      const key = { tenantId: wo.tenantId, authorUid: 'system', clientMutationId: line.key };
      const _id = new Types.ObjectId();
      const res = await Message.updateOne(
        key,
        {
          $setOnInsert: {
            _id,
            workOrderId: wo._id,
            body: line.body,
            authorKind: 'SYSTEM',
            authorName: 'System',
            internal: false,
            attachmentIds: [],
            [PENDING_EVENTS]: [messageEvent(wo, _id, 'message_added', { authorKind: 'SYSTEM', internal: false, attachmentCount: 0 })],
          },
        },
        { upsert: true },
      ).catch((err: unknown) => {
        // Another process wrote the same line at the same moment: it is there, once.
        if (isDuplicateKey(err)) return { upsertedId: null };
        throw err;
      });
      // Written now, or by an earlier delivery that may have stopped short: count and relay either way
      // (both are idempotent per message).
      const written = await Message.findOne(key).lean<MessageRow>();
      if (written) await recordMessage(Message.db.db!, written);
      await deps.relay.flush(Message, res.upsertedId ?? key);
    },
  });
}
