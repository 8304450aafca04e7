import { Schema, type Connection, type InferSchemaType } from 'mongoose';

/**
 * Background work to give a customer a portal login. `_id` is `provision:<customerId>`, so a
 * customer has one job however often creation is retried. A worker claims an attempt by inserting
 * its claim (see below): two workers never run the same attempt.
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

/**
 * One claimed attempt of a job: `_id` is `<jobId>#<attempt>`. Whoever inserts it owns the attempt.
 * A unique key, not a conditional update, decides: the embedded database does not make
 * concurrent read-modify-write updates atomic, unique keys it does enforce.
 */
const jobClaimSchema = new Schema({ _id: { type: String, required: true }, at: { type: Date, required: true } }, { versionKey: false });

export function jobClaimModel(conn: Connection) {
  return conn.model('JobClaim', jobClaimSchema, 'provisioning_job_claims');
}
