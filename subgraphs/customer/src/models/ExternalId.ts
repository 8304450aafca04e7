import { Schema, type Connection } from 'mongoose';

/**
 * Which customer an integrator's own id names: `_id` is `<tenantId>:<externalId>`, unique, so two
 * syncs of one new customer at once make one customer. (A separate collection because the
 * embedded database has no sparse or partial unique index for an optional field.)
 */
const externalIdSchema = new Schema(
  {
    _id: { type: String, required: true },
    customerId: { type: Schema.Types.ObjectId, required: true },
  },
  { timestamps: true, versionKey: false },
);

export function externalIdModel(conn: Connection) {
  return conn.model('CustomerExternalId', externalIdSchema, 'customer_external_ids');
}
