import { announceUnannounced, createRelay, openEventLog, openTenantDirectory, startConsumer, type PayloadOf, type Relay } from '@wisp/events';
import { inviteStaffMember, mailTenantAdmins } from './staff.ts';
import { startNotifications, type NotificationOptions } from '../notifications/index.ts';
import { firebaseAuth, openOutbox, openSmsOutbox, type Logger, type MongoOptions, type Outbox, type SmsOutbox, type TenantDirectory, type TenantInfo } from '@wisp/shared';
import { customerEvent, customerState } from '../customerEvents.ts';
import type { Models } from '../models/index.ts';
import type { BaseAuth } from 'firebase-admin/auth';
import type { Connection } from 'mongoose';

/** What the customer subgraph uses besides its own collections. */
export interface PortalServices {
  outbox: Outbox;
  /** Outgoing text messages (notifications, replies to STOP, START and HELP). */
  smsOutbox: SmsOutbox;
  /** The tenant read model; `model` answers queries on its `state.*` fields. */
  tenants: TenantDirectory & Pick<Awaited<ReturnType<typeof openTenantDirectory>>, 'model'>;
  /** A tenant by its slug (for public sign-up, which names the portal, not an id). */
  tenantBySlug: (slug: string) => Promise<TenantInfo | null>;
  /** firebase-admin for one WISP's logins (its Firebase Auth tenant). */
  authFor: (tenant: Pick<TenantInfo, 'authTenantId'>) => BaseAuth;
  /** Moves the events saved with each customer change to the event log (null until opened). */
  relay: Relay | null;
  /** The key links in notifications are signed with (unsubscribe); set when the services open. */
  signingSecret?: string;
}

/**
 * The portal address that links in a tenant's emails point to. Development (the auth emulator in
 * use) and any install that sets PORTAL_URL_TEMPLATE: the template with `{slug}` filled in.
 * Production without a template: the tenant's first custom domain over https.
 * @default "http://{slug}.localhost:3000"
 */
export function portalBaseUrl(tenant: Pick<TenantInfo, 'slug' | 'domains'>): string {
  const template = process.env.PORTAL_URL_TEMPLATE?.trim();
  const development = !!process.env.FIREBASE_AUTH_EMULATOR_HOST;
  if (!template && !development && tenant.domains[0]) return `https://${tenant.domains[0]}`;
  return (template || 'http://{slug}.localhost:3000').replace('{slug}', tenant.slug).replace(/\/$/, '');
}

/** True while the stack signs in against the auth emulator: development and tests. */
export function isDevelopment(): boolean {
  return !!process.env.FIREBASE_AUTH_EMULATOR_HOST;
}

/** The services before the subgraph has opened them (see {@link openPortalServices}). */
export function unopenedPortalServices(): PortalServices {
  const unopened = () => {
    throw new Error('The customer subgraph\'s services are not open yet.');
  };
  return {
    outbox: new Proxy({} as Outbox, { get: unopened }),
    smsOutbox: new Proxy({} as SmsOutbox, { get: unopened }),
    tenants: { get: unopened, bySlug: unopened, model: new Proxy({} as PortalServices['tenants']['model'], { get: unopened }), close: async () => {} },
    tenantBySlug: unopened,
    authFor: (tenant) => {
      const auth = firebaseAuth();
      return tenant.authTenantId ? auth.tenantManager().authForTenant(tenant.authTenantId) : auth;
    },
    relay: null,
  };
}

/**
 * Opens what the subgraph uses besides its own collections, into `services` (the object its
 * models already hold): the mail and SMS outboxes, the event log with the relay for customer changes, and
 * its read model of the tenants, kept in its own database from the tenant subgraph's events.
 */
export async function openPortalServices(services: PortalServices, conn: Connection, models: Models, mongo: MongoOptions, logger: Logger, identitySecret: string, notificationOptions?: NotificationOptions): Promise<() => Promise<void>> {
  const [outbox, smsOutbox, events] = await Promise.all([openOutbox(mongo), openSmsOutbox(mongo), openEventLog(mongo)]);
  const tenants = await openTenantDirectory({ conn, log: events, logger });
  // Billing documents' events carry no entity state: no service keeps a read model of them.
  const relay = createRelay(events, () => [{ model: models.Customer, entity: 'Customer', state: customerState }, models.BillingAccount, models.Invoice, models.Payment], { logger });
  Object.assign(services, { outbox, smsOutbox, tenants, tenantBySlug: (slug: string) => tenants.bySlug(slug), relay, signingSecret: identitySecret } satisfies Partial<PortalServices>);
  // Customers saved before customers published their state are announced once.
  const announced = await announceUnannounced(models.Customer, relay, (doc) => customerEvent({ _id: doc._id, tenantId: doc.tenantId }, 'customer.updated', 'updated', { fields: [], site: doc.site ?? null }));
  if (announced) logger.info('announced customers saved before events', { customers: announced });
  // A new WISP's first administrator is invited here, where logins are kept, when the tenant announces it.
  const firstAdmins = await startConsumer({
    name: 'customer.first-admins',
    conn,
    log: events,
    logger,
    types: ['tenant.created'],
    async handle(event) {
      const email = (event.payload as PayloadOf<'tenant.created'>).firstAdminEmail;
      if (!email) return;
      try {
        await inviteStaffMember({ models, services }, event.tenantId, { email, name: null, role: 'TENANT_ADMIN' });
      } catch (err) {
        // Bad input is not worth retrying (an email already used by a customer here): say so and go on.
        const code = (err as { extensions?: { code?: string } }).extensions?.code;
        if (code !== 'BAD_USER_INPUT' && code !== 'CONFLICT') throw err;
        logger.warn('could not invite a new WISP\'s first administrator', { tenantId: event.tenantId, reason: (err as Error).message });
      }
    },
  });
  // A webhook endpoint the tenant subgraph disabled after sustained failure: its administrators are told.
  const webhookAlerts = await startConsumer({
    name: 'customer.webhook-alerts',
    conn,
    log: events,
    logger,
    types: ['webhook.endpointDisabled'],
    async handle(event) {
      const p = event.payload as PayloadOf<'webhook.endpointDisabled'>;
      const tenant = await tenants.get(event.tenantId);
      if (!tenant) return;
      await mailTenantAdmins(
        { models, services },
        event.tenantId,
        {
          subject: 'A webhook endpoint was disabled',
          heading: 'Webhook deliveries stopped',
          paragraphs: [
            `Deliveries to ${p.url} kept failing, so the endpoint was disabled and receives nothing more until it is enabled again.`,
            p.reason,
            'Fix the receiver, enable the endpoint again under Integrations, and replay what it missed.',
          ],
        },
        'webhook-endpoint-disabled',
        `webhook-endpoint-disabled:${event.id}`,
      );
    },
  });
  // What customers hear about their tickets, visits and outages (signed links use a key of their own).
  const notifications = await startNotifications({ conn, models, services, events, logger, secret: identitySecret, options: notificationOptions });
  return async () => {
    await notifications.stop();
    await webhookAlerts.stop();
    await firstAdmins.stop();
    await relay.stop();
    await tenants.close();
    await Promise.all([outbox.close(), smsOutbox.close(), events.close()]);
  };
}
