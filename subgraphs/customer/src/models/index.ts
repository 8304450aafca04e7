import { notificationModel, ticketMemoModel } from './Notification.ts';
import type { Connection } from 'mongoose';
import { accountLinkModel } from './AccountLink.ts';
import { accountSecurityModels } from './AccountSecurity.ts';
import { auditEntryModel } from './AuditEntry.ts';
import { billingModels } from './Billing.ts';
import { customerModel } from './Customer.ts';
import { externalIdModel } from './ExternalId.ts';
import { mutationReceiptModel } from './MutationReceipt.ts';
import { portalInviteModel } from './PortalInvite.ts';
import { portalLinkModel } from './PortalLink.ts';
import { provisioningJobModel } from './ProvisioningJob.ts';
import { rateLimitHitModel } from './RateLimitHit.ts';

export function createModels(conn: Connection) {
  return {
    Customer: customerModel(conn),
    PortalLink: portalLinkModel(conn),
    AccountLink: accountLinkModel(conn),
    ProvisioningJob: provisioningJobModel(conn),
    AuditEntry: auditEntryModel(conn),
    PortalInvite: portalInviteModel(conn),
    RateLimitHit: rateLimitHitModel(conn),
    MutationReceipt: mutationReceiptModel(conn),
    CustomerExternalId: externalIdModel(conn),
    ...accountSecurityModels(conn),
    Notification: notificationModel(conn),
    NotificationTicket: ticketMemoModel(conn),
    ...billingModels(conn),
  };
}
export type Models = ReturnType<typeof createModels>;
export type { CustomerDoc, PortalStatus } from './Customer.ts';
