import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/** A tenant's visit capacity, set by its admins; one document per tenant (`_id` is the tenant id). */
const visitCapacitySchema = new Schema(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    slots: { type: [new Schema({ weekday: { type: Number, required: true }, start: { type: String, required: true }, end: { type: String, required: true } }, { _id: false })], default: [] },
    crews: { type: [new Schema({ id: { type: String, required: true }, name: { type: String, required: true }, sites: { type: [String], default: [] } }, { _id: false })], default: [] },
    blackoutDates: { type: [String], default: [] },
    leadTimeHours: { type: Number, required: true },
    cutoffHours: { type: Number, required: true },
    visitCategories: { type: [String], default: [] },
    updatedByUid: String,
  },
  { timestamps: true },
);

export type VisitCapacityDoc = InferSchemaType<typeof visitCapacitySchema>;

export function visitCapacityModel(conn: Connection) {
  return conn.model('VisitCapacity', visitCapacitySchema);
}
