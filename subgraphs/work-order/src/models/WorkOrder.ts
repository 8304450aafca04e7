import { Schema, type Connection, type InferSchemaType } from 'mongoose';

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
  },
  { timestamps: true },
);
workOrderSchema.index({ tenantId: 1, number: 1 }, { unique: true });
workOrderSchema.index({ tenantId: 1, reporterCustomerId: 1, _id: -1 });
workOrderSchema.index({ tenantId: 1, affectedCustomerIds: 1, _id: -1 });

export type WorkOrderDoc = InferSchemaType<typeof workOrderSchema>;

export function workOrderModel(conn: Connection) {
  return conn.model('WorkOrder', workOrderSchema);
}
