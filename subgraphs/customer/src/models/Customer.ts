import { Schema, type Connection, type InferSchemaType } from 'mongoose';

const equipment = new Schema(
  {
    model: { type: String, required: true },
    serial: String,
    mac: String,
    installedAt: Date,
    lastSeenAt: Date,
    signalDbm: Number,
  },
  { _id: false },
);

const customerSchema = new Schema(
  {
    tenantId: { type: Schema.Types.ObjectId, required: true },
    accountNumber: { type: String, required: true },
    name: { type: String, required: true },
    email: { type: String, lowercase: true, trim: true },
    phone: String,
    serviceAddress: String,
    site: String,
    sector: String,
    serviceStatus: { type: String, enum: ['PENDING', 'ACTIVE', 'SUSPENDED', 'CANCELLED'], default: 'PENDING', required: true },
    plan: {
      type: new Schema({ name: String, downMbps: Number, upMbps: Number, priceCents: Number }, { _id: false }),
      default: undefined,
    },
    equipment: { type: [equipment], default: [] },
    /** The Firebase user that signs in as this customer, once provisioned. */
    portalUid: String,
  },
  { timestamps: true },
);
customerSchema.index({ tenantId: 1, accountNumber: 1 }, { unique: true });
customerSchema.index({ tenantId: 1, site: 1 });
customerSchema.index({ tenantId: 1, email: 1 });

export type CustomerDoc = InferSchemaType<typeof customerSchema>;

export function customerModel(conn: Connection) {
  return conn.model('Customer', customerSchema);
}
