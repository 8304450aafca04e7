import type { Models } from '../models/index.ts';

/** Who acted: a staff member, the customer themselves, or the background worker. */
export interface Actor {
  uid: string;
  role: string;
}

export const SYSTEM_ACTOR: Actor = { uid: 'system', role: 'SYSTEM' };

export type AuditAction =
  | 'PROVISION'
  | 'PASSWORD_RESET_SENT'
  | 'REVOKE'
  | 'RESTORE'
  | 'TEMPORARY_PASSWORD_SET'
  | 'INVITE_CREATED'
  | 'SELF_SIGNUP'
  | 'SIGN_IN'
  | 'HOUSEHOLD_LINKED'
  | 'HOUSEHOLD_UNLINKED';

/** Appends one audit entry. Never throws: a failed audit write is logged, not turned into a failed action. */
export async function audit(
  models: Pick<Models, 'AuditEntry'>,
  entry: { tenantId: string; customerId: string; actor: Actor; action: AuditAction; outcome: 'SUCCESS' | 'FAILURE'; detail?: string },
): Promise<void> {
  try {
    await models.AuditEntry.create({
      tenantId: entry.tenantId,
      customerId: entry.customerId,
      actorUid: entry.actor.uid,
      actorRole: entry.actor.role,
      action: entry.action,
      outcome: entry.outcome,
      detail: entry.detail?.slice(0, 500),
      at: new Date(),
    });
  } catch (err) {
    process.stderr.write(`[customer] audit write failed: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}
