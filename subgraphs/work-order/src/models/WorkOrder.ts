import { addPendingEvents } from '@wisp/events';
import { Schema, Types, type Connection, type InferSchemaType } from 'mongoose';

export const WORK_ORDER_STATUSES = [
  'OPEN',
  'IN_PROGRESS',
  'WAITING_ON_CUSTOMER',
  'SCHEDULED',
  'EN_ROUTE',
  'ON_SITE',
  'RESOLVED',
  'CLOSED',
  'CANCELLED',
] as const;

const workOrderSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    number: { type: String, required: true },
    /** The numeric part of `number`; the next work order takes the tenant's highest + 1. */
    seq: { type: Number },
    title: { type: String, required: true },
    description: { type: String, default: '' },
    category: {
      type: String,
      enum: ['NO_SERVICE', 'SLOW_SPEED', 'INTERMITTENT', 'EQUIPMENT', 'BILLING', 'INSTALLATION', 'RELOCATION', 'OTHER'],
      required: true,
    },
    type: { type: String, enum: ['SUPPORT', 'OUTAGE', 'INSTALLATION', 'MAINTENANCE'], required: true },
    priority: { type: String, enum: ['LOW', 'MEDIUM', 'HIGH', 'URGENT'], default: 'MEDIUM', required: true },
    status: { type: String, enum: WORK_ORDER_STATUSES, default: 'OPEN', required: true },
    reporterCustomerId: { type: Schema.Types.ObjectId },
    affectedCustomerIds: { type: [Schema.Types.ObjectId], default: [] },
    site: String,
    eta: Date,
    resolvedAt: Date,
    /** How the reporter asked to be reached. */
    contact: { type: new Schema({ name: String, phone: String, email: String }, { _id: false }), default: undefined },
    /** The login that created it (customer or staff). */
    createdByUid: String,
    assigneeUid: String,
    assigneeName: String,
    visitWindow: { type: new Schema({ start: Date, end: Date }, { _id: false }), default: undefined },
    /** Set by staff: the ticket needs (or does not need) a visit; absent, its category decides. */
    visitNeeded: Boolean,
    /** The crew holding the booked visit (see VisitBooking). */
    visitCrew: { type: new Schema({ id: String, name: String }, { _id: false }), default: undefined },
    /** The latest idempotency keys of visit changes: a retried booking, move or cancel changes nothing. */
    visitKeys: { type: [String], default: undefined },
    timeline: {
      type: [
        new Schema(
          {
            from: String,
            to: { type: String, required: true },
            at: { type: Date, required: true },
            byUid: String,
            byName: String,
            note: String,
            /** A change of a field rather than of the status (from and to are then the same status). */
            change: { type: new Schema({ field: String, from: String, to: String }, { _id: false }), default: undefined },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    /** The reporter's service when the ticket was opened, read by the server from the customer record. */
    serviceSnapshot: {
      type: new Schema(
        { planName: String, downMbps: Number, upMbps: Number, cpeModel: String, cpeSerial: String, lastSeenAt: Date, site: String, takenAt: Date },
        { _id: false },
      ),
      default: undefined,
    },
    publicUpdates: {
      type: [new Schema({ body: { type: String, required: true }, at: { type: Date, required: true }, byName: String, clientMutationId: String }, { _id: false })],
      default: [],
    },
    rating: { type: new Schema({ score: Number, comment: String, at: Date }, { _id: false }), default: undefined },
    /** Service-level clocks: support's first public reply, and its latest word to the customer (a reply or a status change). */
    firstResponseAt: Date,
    lastUpdateAt: Date,
    /**
     * The creator's idempotency key: a retried create returns the first work order. Work orders
     * created without one get a unique value, so the unique index needs no partial filter.
     */
    clientMutationId: { type: String, required: true, default: () => new Types.ObjectId().toHexString() },
  },
  { timestamps: true },
);
// The events of each change are saved with it (see @wisp/events publishing).
addPendingEvents(workOrderSchema);
workOrderSchema.index({ tenantId: 1, number: 1 }, { unique: true });
// A customer's list (theirs or affecting them), newest first, and the same narrowed by status.
workOrderSchema.index({ tenantId: 1, reporterCustomerId: 1, _id: -1 });
workOrderSchema.index({ tenantId: 1, affectedCustomerIds: 1, _id: -1 });
workOrderSchema.index({ tenantId: 1, reporterCustomerId: 1, status: 1, _id: -1 });
workOrderSchema.index({ tenantId: 1, affectedCustomerIds: 1, status: 1, _id: -1 });
// The same narrowed by category or by priority (a customer's filters; any further filter thins one customer's tickets).
workOrderSchema.index({ tenantId: 1, reporterCustomerId: 1, category: 1, _id: -1 });
workOrderSchema.index({ tenantId: 1, affectedCustomerIds: 1, category: 1, _id: -1 });
workOrderSchema.index({ tenantId: 1, reporterCustomerId: 1, priority: 1, _id: -1 });
workOrderSchema.index({ tenantId: 1, affectedCustomerIds: 1, priority: 1, _id: -1 });
// Active outages: the tenant's for staff, those on a customer's site for the customer's banner.
workOrderSchema.index({ tenantId: 1, type: 1, status: 1, _id: -1 });
// The public status page: outages resolved most recently.
workOrderSchema.index({ tenantId: 1, type: 1, status: 1, resolvedAt: -1 });
workOrderSchema.index({ tenantId: 1, affectedCustomerIds: 1, type: 1, status: 1, _id: -1 });
// The staff queue, unfiltered.
workOrderSchema.index({ tenantId: 1, _id: -1 });
// Tickets that name a customer login's email as their contact (contactTickets).
workOrderSchema.index({ tenantId: 1, 'contact.email': 1, _id: -1 });
workOrderSchema.index({ tenantId: 1, createdByUid: 1, clientMutationId: 1 }, { unique: true });
workOrderSchema.index({ tenantId: 1, status: 1, _id: -1 });
workOrderSchema.index({ tenantId: 1, seq: -1 });
workOrderSchema.index({ tenantId: 1, assigneeUid: 1, _id: -1 });
// The visit board's tickets waiting for a visit: marked by staff, or by their category.
workOrderSchema.index({ tenantId: 1, visitNeeded: 1, status: 1, _id: -1 });
workOrderSchema.index({ tenantId: 1, category: 1, status: 1, _id: -1 });

export type WorkOrderDoc = InferSchemaType<typeof workOrderSchema>;

export function workOrderModel(conn: Connection) {
  return conn.model('WorkOrder', workOrderSchema);
}
