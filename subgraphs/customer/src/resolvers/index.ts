import { billingCustomerFields, billingMutations, CustomerBilling, Invoice, Payment } from './billing.ts';
import { Customer, PortalAccess } from './Customer.ts';
import { FieldError } from './FieldError.ts';
import { customerSyncMutations } from './customerSync.ts';
import { staffMutations, staffQueries } from '../portal/staff.ts';
import { Mutation } from './Mutation.ts';
import { PortalAuditEntry } from './PortalAuditEntry.ts';
import { Query } from './Query.ts';
import { Viewer } from './Viewer.ts';
import { householdCustomerFields, householdMutations, householdViewerFields } from './households.ts';
import { notificationCustomerFields, NotificationDelivery, notificationMutations, notificationQueries, WorkOrder } from './notifications.ts';

export const resolvers = {
  Query: { ...Query, ...staffQueries, ...notificationQueries },
  Mutation: { ...Mutation, ...customerSyncMutations, ...staffMutations, ...notificationMutations, ...billingMutations, ...householdMutations },
  Viewer: { ...Viewer, ...householdViewerFields },
  Customer: { ...Customer, ...notificationCustomerFields, ...billingCustomerFields, ...householdCustomerFields },
  CustomerBilling,
  Invoice,
  Payment,
  PortalAccess,
  PortalAuditEntry,
  FieldError,
  WorkOrder,
  NotificationDelivery,
};
