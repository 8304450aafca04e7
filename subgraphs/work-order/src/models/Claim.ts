import { Schema, type Connection } from 'mongoose';

/**
 * One-time claims ("status change n of work order X", "rating of X"). The unique key makes
 * exactly one of several concurrent writers win, on databases without atomic read-modify-write.
 */
const claimSchema = new Schema({ key: { type: String, required: true }, at: { type: Date, required: true } }, { versionKey: false });
claimSchema.index({ key: 1 }, { unique: true });

export function claimModel(conn: Connection) {
  return conn.model('Claim', claimSchema);
}
