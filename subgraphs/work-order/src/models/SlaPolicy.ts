import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/** A tenant's service-level policy: business hours and targets per priority (one document per tenant, `_id` = tenant id). */
const slaPolicySchema = new Schema(
  {
    _id: { type: String, required: true },
    businessHours: { type: [new Schema({ day: { type: Number, required: true }, open: { type: String, required: true }, close: { type: String, required: true } }, { _id: false })], default: [] },
    targets: {
      type: [
        new Schema(
          {
            priority: { type: String, enum: ['LOW', 'MEDIUM', 'HIGH', 'URGENT'], required: true },
            firstResponseMinutes: { type: Number, required: true },
            nextUpdateMinutes: { type: Number, required: true },
            resolutionMinutes: { type: Number, required: true },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    updatedByUid: String,
  },
  { timestamps: true, versionKey: false },
);

export type SlaPolicyDoc = InferSchemaType<typeof slaPolicySchema>;

export function slaPolicyModel(conn: Connection) {
  return conn.model('SlaPolicy', slaPolicySchema, 'sla_policies');
}
