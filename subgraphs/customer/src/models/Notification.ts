import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

export const NOTIFICATION_STATUSES = ['SCHEDULED', 'DEFERRED', 'SENT', 'DELIVERED', 'FAILED', 'BOUNCED', 'SKIPPED'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/**
 * One thing to tell one customer by one channel. Its id names the fact, the recipient and the
 * channel (`<event id>:<kind>:<customer>:<channel>`, or for outage texts the outage and stage),
 * so planning an event twice (a redelivered event, two processes) stores it once. Rows of one
 * ticket, customer and channel that are due together go out as one message (`messageKey`).
 */
const notificationSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    customerId: { type: String, required: true },
    workOrderId: { type: String, default: null },
    channel: { type: String, enum: ['EMAIL', 'SMS'], required: true },
    category: { type: String, enum: ['TICKETS', 'VISITS', 'OUTAGES'], required: true },
    kind: { type: String, required: true },
    /** What the message says, as the event told it (never staff-only text). */
    facts: { type: Schema.Types.Mixed, default: {} },
    /** Ticket, customer and channel: rows sharing it may go out together. */
    groupKey: { type: String, required: true },
    status: { type: String, enum: NOTIFICATION_STATUSES, required: true },
    reason: { type: String, default: null },
    /** When it may go: the end of the grouping window, a reminder's time, or the end of quiet hours. */
    dueAt: { type: Date, required: true },
    /** The message a sender put it in; kept across a crash so the retry sends the same message. */
    messageKey: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    to: { type: String, default: null },
    subject: { type: String, default: null },
    /** The outbox entry (email or text) that carries it. */
    outboxId: { type: String, default: null },
    sentAt: { type: Date, default: null },
  },
  { timestamps: true, versionKey: false },
);
// What the sender looks for, and a group's rows.
notificationSchema.index({ status: 1, dueAt: 1 });
notificationSchema.index({ groupKey: 1, status: 1, messageKey: 1, dueAt: 1 });
// A message's rows in order, and taking over one whose lease ran out.
notificationSchema.index({ messageKey: 1, status: 1, createdAt: 1, _id: 1 });
notificationSchema.index({ messageKey: 1, status: 1, leaseUntil: 1 });
// The delivery log of a customer and of a ticket, newest first.
notificationSchema.index({ tenantId: 1, customerId: 1, createdAt: -1 });
notificationSchema.index({ tenantId: 1, workOrderId: 1, createdAt: -1 });

export type NotificationRow = InferSchemaType<typeof notificationSchema> & { _id: string; createdAt: Date; updatedAt: Date };

export function notificationModel(conn: Connection): Model<NotificationRow> {
  return (conn.models.Notification as Model<NotificationRow>) ?? conn.model<NotificationRow>('Notification', notificationSchema, 'notifications');
}

/**
 * What notifications remember of a ticket between its events: the visit it last announced (a new
 * window reads as a move, and its reminder replaces the old one) and, for an outage, its site (the
 * customers told of its resolution are those served from there).
 */
const ticketMemoSchema = new Schema(
  { _id: { type: String, required: true }, tenantId: String, site: String, windowStart: Date, windowEnd: Date, seq: Number },
  { versionKey: false },
);
export type TicketMemo = InferSchemaType<typeof ticketMemoSchema> & { _id: string };
export function ticketMemoModel(conn: Connection): Model<TicketMemo> {
  return (conn.models.NotificationTicket as Model<TicketMemo>) ?? conn.model<TicketMemo>('NotificationTicket', ticketMemoSchema, 'notification_tickets');
}
