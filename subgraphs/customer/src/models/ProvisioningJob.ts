import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * Background work to give a customer a portal login. `_id` is `provision:<customerId>`, so a
 * customer has one job however often creation is retried. A worker takes an attempt with a
 * conditional update on `attempts` (see the worker): two workers never run the same attempt.
 */
const jobSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    customerId: { type: String, required: true },
    /** Who caused the job (staff uid), for the audit trail. */
    actorUid: String,
    actorRole: String,
    status: { type: String, enum: ['PENDING', 'RUNNING', 'DONE', 'FAILED'], default: 'PENDING', required: true },
    attempts: { type: Number, default: 0, required: true },
    runAfter: { type: Date, required: true },
    lockedUntil: Date,
    lastError: String,
  },
  { timestamps: true, versionKey: false },
);
// The worker takes due jobs and jobs whose lease ran out.
jobSchema.index({ status: 1, runAfter: 1 });
jobSchema.index({ status: 1, lockedUntil: 1 });

export type ProvisioningJobDoc = InferSchemaType<typeof jobSchema>;

export function provisioningJobModel(conn: Connection) {
  return conn.model('ProvisioningJob', jobSchema, 'provisioning_jobs');
}
