import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { createLogger, startSubgraph, type SubgraphDefinition, type SubgraphOptions } from '@wisp/shared';
import { parse } from 'graphql';
import type { CustomerModels } from './context.ts';
import { createLoaders, type Loaders } from './loaders.ts';
import { createModels } from './models/index.ts';
import { billingFileRoutes } from './billing/billingFiles.ts';
import { secondFactorRoute } from './portal/secondFactorRoute.ts';
import { accountsRoute } from './portal/accountsRoute.ts';
import { smtpTransport, smtpUrlFromEnv, startMailSender } from './portal/mailer.ts';
import { openPortalServices, unopenedPortalServices } from './portal/services.ts';
import { startProvisioningWorker, type WorkerOptions } from './portal/worker.ts';
import { resolvers } from './resolvers/index.ts';
import { unsubscribeRoute } from './notifications/unsubscribe.ts';
import { inboundSmsRoute } from './notifications/sms/inboundSmsRoute.ts';
import { startSmsSender } from './notifications/sms/smsSender.ts';
import { smsProviderFromEnv, smsStatusCallbackUrl } from './notifications/sms/smsSettings.ts';

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;
/** Several routes as one: the first that answers wins. */
const anyRoute =
  (...routes: Route[]): Route =>
  async (req, res, url) => {
    for (const route of routes) if (await route(req, res, url)) return true;
    return false;
  };
import type { NotificationOptions } from './notifications/index.ts';

export const definition: SubgraphDefinition<CustomerModels, Loaders> = {
  name: 'customer',
  typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
  resolvers: resolvers as SubgraphDefinition<CustomerModels, Loaders>['resolvers'],
  models: (conn) => ({ ...createModels(conn), services: unopenedPortalServices(), nudgeWorker: () => undefined }),
  loaders: createLoaders,
  // The gateway asks here whether a login must show its second factor; one-click unsubscribe and
  // Twilio's SMS webhooks come through it from the public.
  setup: async (conn, options, models, log) => ({
    services: undefined,
    routes: anyRoute(secondFactorRoute({ models, log, identitySecret: options.identitySecret }), accountsRoute({ models, log, identitySecret: options.identitySecret }), unsubscribeRoute({ models, log }), inboundSmsRoute({ models, log }), billingFileRoutes({ models, identitySecret: options.identitySecret, log })),
    stop: await openPortalServices(models.services, conn, models, options.mongo, log, options.identitySecret, (options as CustomerSubgraphOptions).notifications),
  }),
  audit: {
    queryField: 'customerAuditLog',
    category: 'CUSTOMER',
    categories: {
      updateMyContact: 'PROFILE',
      provisionPortalAccess: 'PORTAL_ACCESS',
      provisionPortalAccessBatch: 'PORTAL_ACCESS',
      sendPortalPasswordReset: 'PORTAL_ACCESS',
      revokePortalAccess: 'PORTAL_ACCESS',
      restorePortalAccess: 'PORTAL_ACCESS',
      setTemporaryPortalPassword: 'PORTAL_ACCESS',
      createPortalInvite: 'PORTAL_ACCESS',
      recordSignIn: 'PORTAL_ACCESS',
      inviteHouseholdMember: 'PORTAL_ACCESS',
      removeAccountPerson: 'PORTAL_ACCESS',
      linkPropertyManager: 'PORTAL_ACCESS',
      setStaffSecondFactorPolicy: 'STAFF',
      inviteStaff: 'STAFF',
      resendStaffInvite: 'STAFF',
      changeStaffRole: 'STAFF',
      disableStaff: 'STAFF',
      enableStaff: 'STAFF',
      removeStaff: 'STAFF',
      upsertCustomers: 'CUSTOMER',
      reportEquipmentTelemetry: 'CUSTOMER',
      setBillingBalance: 'CUSTOMER',
      upsertInvoice: 'CUSTOMER',
      upsertPayment: 'CUSTOMER',
    },
    // Account security writes its own, more telling entries (and must not store codes or passwords).
    skip: ['changePassword', 'signOutEverywhere', 'beginTotpEnrolment', 'confirmTotpEnrolment', 'removeTotp', 'verifySecondFactor', 'verifyEmail', 'reportSignInFailure'],
  },
};

/** Options of the customer subgraph beyond every subgraph's. */
export interface CustomerSubgraphOptions extends SubgraphOptions {
  /** The background provisioning worker's pacing. */
  worker?: WorkerOptions;
  /** Customer notifications' timing and channels. @default from the environment */
  notifications?: NotificationOptions;
}

/**
 * Starts the customer subgraph with its background work: the provisioning worker, the mail sender
 * when SMTP_URL is set and the text sender when SMS_PROVIDER is. All stop with the subgraph.
 */
export async function start(options: CustomerSubgraphOptions) {
  // Read first: a provider named without its credentials fails the start before anything runs.
  const smsProvider = smsProviderFromEnv();
  let nudge = () => {};
  const running = await startSubgraph(
    {
      ...definition,
      models: (conn) => ({ ...createModels(conn), services: unopenedPortalServices(), nudgeWorker: () => nudge() }),
    },
    options,
  );
  const log = createLogger('customer-worker');
  const worker = startProvisioningWorker({ models: running.models, services: running.models.services }, log, options.worker);
  nudge = worker.nudge;
  const smtpUrl = smtpUrlFromEnv();
  const sender = smtpUrl ? startMailSender(running.models.services.outbox, smtpTransport(smtpUrl), log) : null;
  const smsSender = smsProvider ? startSmsSender(running.models.services.smsOutbox, smsProvider, log, { statusCallbackUrl: smsStatusCallbackUrl() }) : null;
  return {
    ...running,
    stop: async () => {
      await worker.stop();
      await sender?.stop();
      await smsSender?.stop();
      await running.stop();
    },
  };
}
