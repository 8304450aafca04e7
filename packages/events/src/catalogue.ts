import { z } from 'zod';

/**
 * The event catalogue: every fact a service publishes about its own entities, with its owner,
 * version and payload. A service's events are its public contract: consumers (live updates, read
 * models, webhooks, notifications) depend on these shapes, so a breaking change is a new version.
 * Payloads carry facts, not secrets: nothing in them is hidden from staff of the tenant, and
 * `internal` on the envelope marks what customers must never be told.
 */

/** The services that own entities, hence publish events. */
export type Owner = 'tenant' | 'customer' | 'work-order' | 'messaging';

/** The entities events are about. */
export type EventEntity = 'Tenant' | 'Customer' | 'WorkOrder' | 'Message' | 'CallbackRequest' | 'WebhookEndpoint' | 'Invoice' | 'Payment' | 'BillingAccount';

const id = z.string().min(1);
const status = z.string().min(1);
const when = z.iso.datetime({ offset: true });

const invoiceFacts = {
  customerId: id,
  number: z.string(),
  issuedAt: when,
  dueDate: z.string().nullable(),
  amountCents: z.number().int(),
  currency: z.string().length(3),
  status,
  hasPdf: z.boolean(),
  url: z.string().nullable(),
};

const paymentFacts = { customerId: id, reference: z.string(), paidAt: when, amountCents: z.number().int(), currency: z.string().length(3), method: z.string().nullable() };

const ticketFacts = {
  number: z.string(),
  type: z.string(),
  status,
  priority: z.string(),
  category: z.string(),
  reporterCustomerId: id.nullable(),
  affectedCustomerIds: z.array(id),
};

/**
 * The published state of each entity: what other services may know of it and keep in their read
 * models. The relay attaches it to every event (`state` on the envelope) as the entity stands
 * when the event is relayed, so it is never older than the change the event reports, and the
 * newest event of an entity always carries its current state.
 */
const colors = z.object({ primary: z.string(), secondary: z.string(), accent: z.string(), background: z.string(), text: z.string() });
export const ENTITY_STATE = {
  Tenant: z.object({
    slug: z.string(),
    name: z.string(),
    status: z.enum(['ACTIVE', 'SUSPENDED']),
    /** The Firebase Auth tenant that holds this WISP's logins (null until it is attached). */
    authTenantId: z.string().nullable(),
    branding: z.object({
      companyName: z.string(),
      displayName: z.string(),
      logoUrl: z.string().nullable().optional(),
      colors,
      supportEmail: z.string().nullable().optional(),
      supportPhone: z.string().nullable().optional(),
      supportHours: z.string().nullable().optional(),
      website: z.string().nullable().optional(),
      footerText: z.string().nullable().optional(),
      /** IANA time zone that times in the WISP's messages are written in (customers may pick their own). */
      timeZone: z.string().nullable().optional(),
      /** Language of what customers who chose none are sent ("en", "es"). */
      defaultLanguage: z.string().nullable().optional(),
      /** Sender of the WISP's email: display name and address (the platform's when absent). */
      mailFromName: z.string().nullable().optional(),
      mailFromAddress: z.string().nullable().optional(),
      /** Sender of the WISP's texts: an E.164 number or an alphanumeric sender id. */
      smsSenderId: z.string().nullable().optional(),
    }),
    brandingVersion: z.number().int(),
    /** Custom domains, the preferred one first. */
    domains: z.array(z.string()),
  }),
  Customer: z.object({
    accountNumber: z.string(),
    name: z.string(),
    /** The record's email, entered by staff. */
    email: z.string().nullable(),
    /**
     * Where mail about the account may go: the record's email, else the portal login's email once
     * confirmed; null when there is none.
     */
    ticketMailTo: z.string().nullable(),
    phone: z.string().nullable(),
    contactPreferences: z.object({ email: z.boolean(), sms: z.boolean() }),
    site: z.string().nullable(),
    sector: z.string().nullable(),
    serviceStatus: status,
    plan: z.object({ name: z.string(), downMbps: z.number(), upMbps: z.number() }).nullable(),
    equipment: z.array(z.object({ model: z.string(), serial: z.string().nullable(), mac: z.string().nullable(), lastSeenAt: when.nullable() })),
    /** NONE until staff or the customer set up a portal login. */
    portalStatus: z.string(),
  }),
  WorkOrder: z.object({
    number: z.string(),
    title: z.string(),
    type: z.string(),
    status,
    priority: z.string(),
    category: z.string(),
    reporterCustomerId: id.nullable(),
    affectedCustomerIds: z.array(id),
    assigneeUid: z.string().nullable(),
    /** The ticket's contact email in lower case (a login whose confirmed email it is may read the ticket). */
    contactEmail: z.string().nullable().optional(),
  }),
} as const satisfies Partial<Record<EventEntity, z.ZodType>>;

export type StatefulEntity = keyof typeof ENTITY_STATE;
export type StateOf<E extends StatefulEntity> = z.infer<(typeof ENTITY_STATE)[E]>;

/** Name → owner, entity, version and payload schema of every event. */
export const EVENT_CATALOGUE = {
  // work-order: tickets
  'ticket.created': { owner: 'work-order', entity: 'WorkOrder', version: 1, payload: z.object(ticketFacts) },
  'ticket.updated': { owner: 'work-order', entity: 'WorkOrder', version: 1, payload: z.object({ ...ticketFacts, fields: z.array(z.string()) }) },
  'ticket.statusChanged': {
    owner: 'work-order',
    entity: 'WorkOrder',
    version: 1,
    // `change` is the timeline position of this change: with the ticket id it names the change once.
    payload: z.object({ ...ticketFacts, from: status.nullable(), to: status, note: z.string().nullable(), change: z.number().int().nonnegative() }),
  },
  'ticket.assigned': { owner: 'work-order', entity: 'WorkOrder', version: 1, payload: z.object({ ...ticketFacts, assigneeUid: id.nullable() }) },
  // A cleared visit window has no ends.
  'ticket.visitScheduled': { owner: 'work-order', entity: 'WorkOrder', version: 1, payload: z.object({ ...ticketFacts, windowStart: when.nullable(), windowEnd: when.nullable() }) },
  'ticket.etaChanged': { owner: 'work-order', entity: 'WorkOrder', version: 1, payload: z.object({ ...ticketFacts, eta: when.nullable() }) },
  // work-order: booked visits (a slot of the tenant's visit capacity, held by one crew). Each is
  // saved with the work order's change, so `state` shows the ticket as it stands after it.
  'visit.booked': { owner: 'work-order', entity: 'WorkOrder', version: 1, payload: z.object({ ...ticketFacts, windowStart: when, windowEnd: when, crewId: z.string(), crewName: z.string() }) },
  'visit.rescheduled': {
    owner: 'work-order',
    entity: 'WorkOrder',
    version: 1,
    payload: z.object({ ...ticketFacts, windowStart: when, windowEnd: when, crewId: z.string(), crewName: z.string(), previousStart: when, previousEnd: when }),
  },
  'visit.cancelled': { owner: 'work-order', entity: 'WorkOrder', version: 1, payload: z.object({ ...ticketFacts, windowStart: when.nullable(), windowEnd: when.nullable(), previousStart: when, previousEnd: when }) },
  'visit.enRoute': { owner: 'work-order', entity: 'WorkOrder', version: 1, payload: z.object({ ...ticketFacts, eta: when.nullable(), crewName: z.string().nullable() }) },
  'visit.onSite': { owner: 'work-order', entity: 'WorkOrder', version: 1, payload: z.object({ ...ticketFacts, crewName: z.string().nullable() }) },
  'ticket.rated': { owner: 'work-order', entity: 'WorkOrder', version: 1, payload: z.object({ ...ticketFacts, score: z.number().int() }) },
  // work-order: outages. They are work orders of type OUTAGE (`outage: true` on the envelope), so
  // their status changes, resolution included, are ticket.statusChanged.
  'outage.created': {
    owner: 'work-order',
    entity: 'WorkOrder',
    version: 1,
    payload: z.object({
      ...ticketFacts,
      site: z.string().nullable(),
      /** Planned maintenance: when the work is planned (absent from events written before it existed). */
      plannedWindow: z.object({ start: when, end: when }).nullable().optional(),
    }),
  },
  'outage.updated': { owner: 'work-order', entity: 'WorkOrder', version: 1, payload: z.object({ ...ticketFacts, body: z.string(), eta: when.nullable() }) },
  // work-order: call-backs
  'callback.requested': {
    owner: 'work-order',
    entity: 'CallbackRequest',
    version: 1,
    payload: z.object({ customerId: id, workOrderId: id.nullable(), preferredTime: when, phone: z.string().nullable(), note: z.string().nullable() }),
  },
  'callback.completed': { owner: 'work-order', entity: 'CallbackRequest', version: 1, payload: z.object({ customerId: id, workOrderId: id.nullable() }) },
  // messaging
  'message.created': {
    owner: 'messaging',
    entity: 'Message',
    version: 1,
    // `excerpt`: the start of a public message's text, for notifications; never set for internal notes.
    payload: z.object({ workOrderId: id, authorKind: z.string(), internal: z.boolean(), attachmentCount: z.number().int().nonnegative(), excerpt: z.string().nullable().optional(), authorName: z.string().nullable().optional() }),
  },
  'conversation.read': { owner: 'messaging', entity: 'Message', version: 1, payload: z.object({ workOrderId: id, readerKind: z.enum(['CUSTOMER', 'STAFF']) }) },
  // customer. `fields` names what changed (the entity's state is on the envelope).
  'customer.created': { owner: 'customer', entity: 'Customer', version: 1, payload: z.object({ accountNumber: z.string(), site: z.string().nullable(), serviceStatus: status }) },
  'customer.updated': { owner: 'customer', entity: 'Customer', version: 1, payload: z.object({ fields: z.array(z.string()), site: z.string().nullable() }) },
  'customer.serviceStatusChanged': { owner: 'customer', entity: 'Customer', version: 1, payload: z.object({ from: status.nullable(), to: status }) },
  // `action`: PROVISIONED, SIGNED_UP, FIRST_SIGN_IN, EMAIL_CONFIRMED, REVOKED, RESTORED.
  'portalAccess.changed': { owner: 'customer', entity: 'Customer', version: 1, payload: z.object({ status, action: z.string() }) },
  // A login linked to or unlinked from the account: a household member (MEMBER) or a property manager (MANAGER).
  'accountLink.changed': { owner: 'customer', entity: 'Customer', version: 1, payload: z.object({ action: z.enum(['LINKED', 'UNLINKED']), role: z.enum(['MEMBER', 'MANAGER']), uid: z.string() }) },
  // tenant. Created once its login pool is attached, which is when it can be used.
  // `firstAdminEmail`: whom the customer subgraph (owner of logins) invites as the first administrator.
  'tenant.created': { owner: 'tenant', entity: 'Tenant', version: 1, payload: z.object({ slug: z.string(), name: z.string(), firstAdminEmail: z.string().nullable().optional() }) },
  'tenant.renamed': { owner: 'tenant', entity: 'Tenant', version: 1, payload: z.object({ name: z.string() }) },
  'tenant.suspended': { owner: 'tenant', entity: 'Tenant', version: 1, payload: z.object({}) },
  'tenant.reactivated': { owner: 'tenant', entity: 'Tenant', version: 1, payload: z.object({}) },
  'tenant.updated': { owner: 'tenant', entity: 'Tenant', version: 1, payload: z.object({ fields: z.array(z.string()) }) },
  'tenant.domainsChanged': { owner: 'tenant', entity: 'Tenant', version: 1, payload: z.object({ added: z.array(z.string()), removed: z.array(z.string()) }) },
  'branding.published': { owner: 'tenant', entity: 'Tenant', version: 1, payload: z.object({ version: z.number().int() }) },
  // tenant: webhooks. The endpoint stopped receiving deliveries after failing for too long; the
  // customer subgraph, which keeps the staff logins, mails the tenant's administrators.
  'webhook.endpointDisabled': {
    owner: 'tenant',
    entity: 'WebhookEndpoint',
    version: 1,
    payload: z.object({ url: z.string(), reason: z.string(), consecutiveFailures: z.number().int().nonnegative(), failingSince: when.nullable() }),
  },
  // customer: billing documents the billing integration pushed (amounts in the currency's minor unit).
  'invoice.issued': { owner: 'customer', entity: 'Invoice', version: 1, payload: z.object(invoiceFacts) },
  'invoice.updated': { owner: 'customer', entity: 'Invoice', version: 1, payload: z.object({ ...invoiceFacts, fields: z.array(z.string()) }) },
  'payment.recorded': { owner: 'customer', entity: 'Payment', version: 1, payload: z.object(paymentFacts) },
  'payment.updated': { owner: 'customer', entity: 'Payment', version: 1, payload: z.object({ ...paymentFacts, fields: z.array(z.string()) }) },
  'billing.balanceChanged': {
    owner: 'customer',
    entity: 'BillingAccount',
    version: 1,
    payload: z.object({ customerId: id, balanceCents: z.number().int(), currency: z.string().length(3), dueDate: z.string().nullable() }),
  },
} as const satisfies Record<string, { owner: Owner; entity: EventEntity; version: number; payload: z.ZodType }>;

export type EventType = keyof typeof EVENT_CATALOGUE;
export type PayloadOf<T extends EventType> = z.infer<(typeof EVENT_CATALOGUE)[T]['payload']>;

/** The event types a service may publish. */
export function eventTypesOf(owner: Owner): EventType[] {
  return (Object.keys(EVENT_CATALOGUE) as EventType[]).filter((t) => EVENT_CATALOGUE[t].owner === owner);
}
