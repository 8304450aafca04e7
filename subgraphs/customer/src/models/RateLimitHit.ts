import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * One attempt against a rate limit (a sliding-window log). Counting inserted rows is safe under
 * concurrency without atomic read-modify-write: each attempt first records itself, then counts.
 * Expired rows are deleted by the limiter itself (no TTL indexes on the embedded database).
 */
const hitSchema = new Schema(
  {
    key: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
hitSchema.index({ key: 1, at: 1 });
hitSchema.index({ at: 1 });

export type RateLimitHitDoc = InferSchemaType<typeof hitSchema>;

export function rateLimitHitModel(conn: Connection) {
  return conn.model('RateLimitHit', hitSchema, 'rate_limit_hits');
}
