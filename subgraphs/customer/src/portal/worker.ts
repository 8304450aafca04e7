import { isDuplicateKey, startPolling, type Logger, type Polling } from '@wisp/shared';
import { SYSTEM_ACTOR, type Actor } from './audit.ts';
import { provisionCustomer, type PortalDeps } from './provisioning.ts';

/** How the provisioning worker paces itself. */
export interface WorkerOptions {
  /** Pause between polls when idle. @default 500 ms */
  pollMs?: number;
  /** Attempts before a job is left FAILED for staff to retry. @default 5 */
  maxAttempts?: number;
  /** How long a claimed job is reserved before another worker may take it over. @default 60 000 ms */
  leaseMs?: number;
}

export const jobId = (customerId: string) => `provision:${customerId}`;

/** Queues background provisioning for a customer (at most one job per customer). */
export async function queueProvisioning(deps: Pick<PortalDeps, 'models'>, job: { tenantId: string; customerId: string; actor: Actor }) {
  try {
    await deps.models.ProvisioningJob.create({
      _id: jobId(job.customerId),
      tenantId: job.tenantId,
      customerId: job.customerId,
      actorUid: job.actor.uid,
      actorRole: job.actor.role,
      status: 'PENDING',
      attempts: 0,
      runAfter: new Date(),
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

/** Backoff after the n-th failed attempt: 2 s, 4 s, 8 s, … */
const backoffMs = (attempts: number) => 1_000 * 2 ** Math.min(attempts, 10);

/**
 * Runs provisioning jobs until stopped. Each attempt is taken by a conditional update (on the
 * attempt count read), so of several workers (replicas, or one taking over a crashed worker's
 * job after its lease ran out) exactly one runs each attempt. Failures are recorded on the job and the customer and retried with
 * backoff; permanent ones (no email, email taken) stop at once.
 */
export function startProvisioningWorker(deps: PortalDeps, log: Logger, options: WorkerOptions = {}) {
  const pollMs = options.pollMs ?? 500;
  const maxAttempts = options.maxAttempts ?? 5;
  const leaseMs = options.leaseMs ?? 60_000;

  async function runOnce({ stopping }: Polling): Promise<number> {
    const now = new Date();
    const candidates = await deps.models.ProvisioningJob.find({
      $or: [
        { status: 'PENDING', runAfter: { $lte: now } },
        { status: 'RUNNING', lockedUntil: { $lt: now } },
      ],
    })
      .sort({ runAfter: 1 })
      .limit(10)
      .lean();
    let ran = 0;
    for (const job of candidates) {
      if (stopping()) break;
      // The attempt belongs to whoever moves the job on from the state it was read in: the
      // condition on `attempts` lets exactly one of racing workers through. A worker that dies
      // mid-attempt leaves only a lease, which runs out.
      const taken = await deps.models.ProvisioningJob.updateOne(
        { _id: job._id, attempts: job.attempts, status: job.status },
        { $set: { status: 'RUNNING', lockedUntil: new Date(Date.now() + leaseMs), attempts: job.attempts + 1 } },
      );
      if (taken.modifiedCount !== 1) continue;
      ran++;
      const actor = job.actorUid ? { uid: job.actorUid, role: job.actorRole ?? 'STAFF' } : SYSTEM_ACTOR;
      const outcome = await provisionCustomer(deps, job.customerId, { ...actor, uid: `${actor.uid}` }).catch((err: unknown) => ({
        ok: false as const,
        message: err instanceof Error ? err.message : String(err),
        retryable: true,
      }));
      const attempts = job.attempts + 1;
      const update = outcome.ok
        ? { status: 'DONE', lastError: null }
        : outcome.retryable && attempts < maxAttempts
          ? { status: 'PENDING', runAfter: new Date(Date.now() + backoffMs(attempts)), lastError: outcome.message }
          : { status: 'FAILED', lastError: outcome.message };
      await deps.models.ProvisioningJob.updateOne({ _id: job._id, attempts }, { $set: update });
      if (!outcome.ok) log.warn('portal provisioning failed', { customerId: job.customerId, attempts, message: outcome.message });
    }
    return ran;
  }

  // A round that ran jobs looks again at once: more may be due.
  const polling = startPolling(async (p) => (await runOnce(p)) > 0, { pollMs, log, what: 'provisioning worker' });
  return {
    /** Polls now instead of waiting for the next tick (after a job is queued). */
    nudge: polling.nudge,
    stop: polling.stop,
  };
}
