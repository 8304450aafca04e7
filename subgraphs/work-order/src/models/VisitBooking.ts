import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * The seat a work order's visit holds: one crew in one slot. `seat` is "<slot start>|<crew id>"
 * while the visit is booked and unique per tenant, so two visits can never hold the same crew in
 * the same slot: capacity is enforced by the unique index alone (no transaction, no lock), on
 * MongoDB and on the embedded server alike. A cancelled visit frees its seat by taking a value
 * of its own. One document per work order, moved by conditional updates on `version`.
 */
const visitBookingSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    workOrderId: { type: Schema.Types.ObjectId, required: true },
    customerId: Schema.Types.ObjectId,
    seat: { type: String, required: true },
    active: { type: Boolean, required: true },
    slotStart: { type: Date, required: true },
    slotEnd: { type: Date, required: true },
    crewId: { type: String, required: true },
    crewName: { type: String, required: true },
    version: { type: Number, required: true, default: 0 },
  },
  { timestamps: true },
);
visitBookingSchema.index({ tenantId: 1, seat: 1 }, { unique: true });
visitBookingSchema.index({ tenantId: 1, workOrderId: 1 }, { unique: true });
// The board and the free slots: a tenant's booked visits in a time range.
visitBookingSchema.index({ tenantId: 1, active: 1, slotStart: 1 });

export type VisitBookingDoc = InferSchemaType<typeof visitBookingSchema>;

export function visitBookingModel(conn: Connection) {
  return conn.model('VisitBooking', visitBookingSchema);
}
