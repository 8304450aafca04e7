import { readFileSync } from 'node:fs';
import { startSubgraph, type SubgraphDefinition, type SubgraphOptions } from '@wisp/shared';
import { parse } from 'graphql';
import { announceUnannounced, createRelay, openEventLog, type EventLog } from '@wisp/events';
import { tenantEvent, tenantState } from './tenantEvents.ts';
import { createLoaders, type Loaders } from './loaders.ts';
import { createModels, type Models } from './models/index.ts';
import { resolvers } from './resolvers/index.ts';
import { tenantRoutes } from './routes.ts';
import type { WebhookServices } from './resolvers/webhooks.ts';
import { startWebhookEngine } from './webhooks/webhookDelivery.ts';
import { webhookSettingsFromEnv, type WebhookSettings } from './webhooks/webhookSettings.ts';

/** What the tenant subgraph's resolvers use besides their models. */
export interface TenantServices {
  webhooks: WebhookServices;
  /** The event log, read for the tenants' change feed. */
  changeFeed: EventLog;
}

/** The tenant subgraph with its webhook settings (from the environment unless given). */
export function tenantDefinition(webhookSettings?: Partial<WebhookSettings>): SubgraphDefinition<Models, Loaders, TenantServices> {
  return {
    name: 'tenant',
    typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
    resolvers: resolvers as SubgraphDefinition<Models, Loaders, TenantServices>['resolvers'],
    models: createModels,
    loaders: createLoaders,
    audit: { queryField: 'tenantAuditLog', category: 'TENANT', categories: { updateBranding: 'BRANDING', restoreBranding: 'BRANDING' } },
    // Asset upload/serving and the gateway's tenant-status lookups: plain HTTP beside /graphql.
    setup: async (conn, options, models, log) => {
      const events = await openEventLog(options.mongo);
      const relay = createRelay(events, () => [{ model: models.Tenant, entity: 'Tenant', state: tenantState }, models.WebhookEndpoint], { logger: log });
      models.relay = relay;
      // Tenants saved before tenants published their state are announced once.
      const announced = await announceUnannounced(models.Tenant, relay, (doc) => tenantEvent(doc._id, 'tenant.updated', 'updated', { fields: [] }));
      if (announced) log.info('announced tenants saved before events', { tenants: announced });
      // Webhooks: the fan-out of the event log to the tenants' endpoints, and the sender.
      const settings = { ...webhookSettingsFromEnv(), ...webhookSettings };
      const webhooks = await startWebhookEngine({ conn, models, events, relay, settings, logger: log });
      return {
        services: { webhooks: { settings, wake: webhooks.wake }, changeFeed: events },
        routes: tenantRoutes({ models, log, identitySecret: options.identitySecret }),
        stop: async () => {
          await webhooks.stop();
          await relay.stop();
          await events.close();
        },
      };
    },
  };
}

export const definition = tenantDefinition();

/** Starts the tenant/branding subgraph; `webhooks` overrides the webhook settings the environment gives. */
export function start(options: SubgraphOptions & { webhooks?: Partial<WebhookSettings> }) {
  return startSubgraph(tenantDefinition(options.webhooks), options);
}
