import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { codedError, ErrorCode } from './errors.ts';
import { Role, type Identity } from './identity.ts';

/** What an integrator's API key may be allowed to do. */
export const API_SCOPES = {
  'customers:read': 'Read customer records, their service and equipment.',
  'customers:write': 'Create and update customer records.',
  'tickets:read': 'Read tickets, outages and call-backs; follow them live.',
  'tickets:write': 'Change tickets: status, assignment, visits, ETAs; complete call-backs.',
  'messages:write': 'Post public replies in ticket conversations.',
  'notes:read': 'See internal notes and post them (staff-only conversation lines).',
  'outages:write': 'Create outages and post their updates.',
  'events:read': 'Read the change feed.',
  'webhooks:manage': 'Manage webhook endpoints.',
  'billing:read': "Read customers' balances, invoices and payments.",
  'billing:write': 'Push balances, invoices (with their PDFs) and payments from the billing system.',
} as const;
export type ApiScope = keyof typeof API_SCOPES;
export const isApiScope = (s: unknown): s is ApiScope => typeof s === 'string' && Object.hasOwn(API_SCOPES, s);

/**
 * What every root field of the graph asks of an integrator's key: the scope it needs, or null when
 * the field is not for integrators at all (logins, branding, administration), or `any` for any key
 * (who am I). A test lists every
 * root field of the composed schema and fails when one is missing here.
 */
export const ROOT_FIELD_SCOPES: Record<string, ApiScope | 'any' | null> = {
  // customer
  'Query.customer': 'customers:read',
  'Query.customers': 'customers:read',
  'Query.customerAuditLog': null,
  'Query.portalAccessAudit': null,
  'Query.outboxEmails': null,
  'Query.accountSecurity': null,
  'Query.signInLockout': null,
  'Mutation.createCustomer': 'customers:write',
  'Mutation.updateCustomer': 'customers:write',
  'Mutation.upsertCustomers': 'customers:write',
  'Mutation.reportEquipmentTelemetry': 'customers:write',
  'Mutation.setBillingBalance': 'billing:write',
  'Mutation.upsertInvoice': 'billing:write',
  'Mutation.upsertPayment': 'billing:write',
  'Mutation.updateMyContact': null,
  'Mutation.updateMyNotificationPreferences': null,
  'Mutation.unsubscribe': null,
  'Query.outboxSms': null,
  'Query.notificationLanguages': null,
  'Mutation.provisionPortalAccess': null,
  'Mutation.provisionPortalAccessBatch': null,
  'Mutation.sendPortalPasswordReset': null,
  'Mutation.revokePortalAccess': null,
  'Mutation.restorePortalAccess': null,
  'Mutation.setTemporaryPortalPassword': null,
  'Mutation.createPortalInvite': null,
  'Mutation.signUpWithAccount': null,
  'Mutation.requestPasswordReset': null,
  'Mutation.recordSignIn': null,
  'Mutation.inviteHouseholdMember': null,
  'Query.contactTickets': null,
  'Mutation.removeAccountPerson': null,
  'Mutation.linkPropertyManager': null,
  'Mutation.reportSignInFailure': null,
  'Mutation.verifyEmail': null,
  'Mutation.changePassword': null,
  'Mutation.signOutEverywhere': null,
  'Mutation.beginTotpEnrolment': null,
  'Mutation.confirmTotpEnrolment': null,
  'Mutation.removeTotp': null,
  'Mutation.verifySecondFactor': null,
  'Mutation.setStaffSecondFactorPolicy': null,
  'Query.staffAccounts': null,
  'Mutation.inviteStaff': null,
  'Mutation.resendStaffInvite': null,
  'Mutation.changeStaffRole': null,
  'Mutation.disableStaff': null,
  'Mutation.enableStaff': null,
  'Mutation.removeStaff': null,
  // messaging
  'Query.message': 'tickets:read',
  'Query.messageAuditLog': null,
  'Query.agentNotifications': null,
  'Mutation.sendMessage': 'messages:write',
  'Mutation.markConversationRead': null,
  'Mutation.markAgentNotificationRead': null,
  'Mutation.updateAgentNotificationPreferences': null,
  'Query.agentNotificationPreferences': null,
  // tenant
  'Query.viewer': 'any',
  'Query.cannedReplies': null,
  'Mutation.saveCannedReply': null,
  'Mutation.deleteCannedReply': null,
  'Mutation.updateTicketDetails': 'tickets:write',
  'Mutation.editTicketDescription': null,
  'Mutation.reopenTicket': null,
  'Query.slaPolicy': 'tickets:read',
  'Mutation.updateSlaPolicy': null,
  'Query.statusPage': 'any',
  'Query.tenant': null,
  'Query.tenants': null,
  'Query.portalBranding': null,
  'Query.tenantAuditLog': null,
  'Query.brandingHistory': null,
  'Query.apiKeys': null,
  'Query.apiKeyScopes': null,
  'Query.changes': 'events:read',
  'Mutation.createTenant': null,
  'Mutation.renameTenant': null,
  'Mutation.suspendTenant': null,
  'Mutation.reactivateTenant': null,
  'Mutation.addTenantDomain': null,
  'Mutation.removeTenantDomain': null,
  'Mutation.updateBranding': null,
  'Mutation.restoreBranding': null,
  'Mutation.createApiKey': null,
  'Mutation.revokeApiKey': null,
  'Mutation.rotateApiKey': null,
  'Query.webhookEndpoints': 'webhooks:manage',
  'Query.webhookDeliveries': 'webhooks:manage',
  'Query.webhookEventTypes': 'webhooks:manage',
  'Mutation.createWebhookEndpoint': 'webhooks:manage',
  'Mutation.updateWebhookEndpoint': 'webhooks:manage',
  'Mutation.deleteWebhookEndpoint': 'webhooks:manage',
  'Mutation.rotateWebhookSecret': 'webhooks:manage',
  'Mutation.replayWebhookDelivery': 'webhooks:manage',
  'Mutation.replayWebhookDeliveries': 'webhooks:manage',
  'Mutation.sendTestWebhook': 'webhooks:manage',
  // work-order
  'Query.workOrder': 'tickets:read',
  'Query.workOrderQueue': 'tickets:read',
  'Query.activeOutages': 'tickets:read',
  'Query.staffMembers': 'tickets:read',
  'Query.callbackRequests': 'tickets:read',
  'Query.ticketAuditLog': null,
  'Mutation.openTicket': null,
  'Mutation.cancelTicket': null,
  'Mutation.requestCallback': null,
  'Mutation.rateTicket': null,
  'Mutation.assignWorkOrder': 'tickets:write',
  'Mutation.changeWorkOrderStatus': 'tickets:write',
  'Mutation.scheduleVisit': 'tickets:write',
  'Mutation.setWorkOrderEta': 'tickets:write',
  'Mutation.completeCallback': 'tickets:write',
  'Mutation.createOutage': 'outages:write',
  'Mutation.postOutageUpdate': 'outages:write',
  'Query.visitCapacity': 'tickets:read',
  'Query.visitSlots': 'tickets:read',
  'Query.visitBoard': 'tickets:read',
  'Mutation.updateVisitCapacity': null,
  'Mutation.markVisitNeeded': 'tickets:write',
  'Mutation.bookVisit': 'tickets:write',
  'Mutation.rescheduleVisit': 'tickets:write',
  'Mutation.cancelVisit': 'tickets:write',
  'Mutation.assignVisitCrew': 'tickets:write',
  'Mutation.setVisitProgress': 'tickets:write',
  // live updates (answered by the gateway)
  'Subscription.workOrderUpdated': 'tickets:read',
  'Subscription.messageAdded': 'tickets:read',
  'Subscription.queueChanged': 'tickets:read',
  'Subscription.myWorkOrdersChanged': null,
  'Subscription.serviceNoticesChanged': null,
};

/** True when `identity` holds `scope` (only integrators' keys carry scopes). */
export const hasScope = (identity: Identity | null, scope: ApiScope) => !!identity?.scopes?.includes(scope);

/**
 * Refuses an integrator what its key's scopes do not allow at root field `coordinate`
 * (`Query.customers`). Everyone else passes: their role decides, in each resolver.
 */
export function checkRootFieldScope(identity: Identity | null, coordinate: string): void {
  if (identity?.role !== Role.INTEGRATOR) return;
  const needed = ROOT_FIELD_SCOPES[coordinate];
  const field = coordinate.split('.')[1];
  if (!needed) throw codedError(ErrorCode.FORBIDDEN, `API keys cannot use ${field}.`, { field });
  if (needed !== 'any' && !hasScope(identity, needed)) throw codedError(ErrorCode.FORBIDDEN, `This API key lacks the scope ${needed}, which ${field} needs.`, { scope: needed, field });
}

/** Keys look like `wisp_live_<key id>_<secret>`: the prefix lets secret scanners find leaked ones. */
export const API_KEY_PREFIX = 'wisp_live_';
const KEY_FORMAT = /^wisp_live_([0-9a-f]{24})_([A-Za-z0-9_-]{43})$/;

/** A new key's secret part (256 random bits) and the full key to hand out once. */
export function newApiKeySecret(keyId: string): { key: string; secretHash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { key: `${API_KEY_PREFIX}${keyId}_${secret}`, secretHash: hashApiKeySecret(secret) };
}

/** Stored instead of the secret. The secret is random, so a plain digest is as good as a slow hash here. */
export const hashApiKeySecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** The key id and secret of something shaped like an API key, or null. */
export function parseApiKey(token: string): { keyId: string; secret: string } | null {
  const m = KEY_FORMAT.exec(token);
  return m ? { keyId: m[1]!, secret: m[2]! } : null;
}

export const looksLikeApiKey = (token: string) => token.startsWith(API_KEY_PREFIX);

/** Compares a presented secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashApiKeySecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
