import { readFileSync } from 'node:fs';
import { startSubgraph, type SubgraphDefinition, type SubgraphOptions } from '@wisp/shared';
import { parse } from 'graphql';
import { announceUnannounced, createRelay, openEventLog } from '@wisp/events';
import { tenantEvent, tenantState } from './tenantEvents.ts';
import { createLoaders, type Loaders } from './loaders.ts';
import { createModels, type Models } from './models/index.ts';
import { resolvers } from './resolvers/index.ts';
import { tenantRoutes } from './routes.ts';

export const definition: SubgraphDefinition<Models, Loaders> = {
  name: 'tenant',
  typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
  resolvers: resolvers as SubgraphDefinition<Models, Loaders>['resolvers'],
  models: createModels,
  loaders: createLoaders,
  audit: { queryField: 'tenantAuditLog', category: 'TENANT', categories: { updateBranding: 'BRANDING', restoreBranding: 'BRANDING' } },
  // Asset upload/serving and the gateway's tenant-status lookups: plain HTTP beside /graphql.
  setup: async (_conn, options, models, log) => {
    const events = await openEventLog(options.mongo);
    const relay = createRelay(events, () => [{ model: models.Tenant, entity: 'Tenant', state: tenantState }], { logger: log });
    models.relay = relay;
    // Tenants saved before tenants published their state are announced once.
    const announced = await announceUnannounced(models.Tenant, relay, (doc) => tenantEvent(doc._id, 'tenant.updated', 'updated', { fields: [] }));
    if (announced) log.info('announced tenants saved before events', { tenants: announced });
    return {
      services: undefined,
      routes: tenantRoutes({ models, log, identitySecret: options.identitySecret }),
      stop: async () => {
        await relay.stop();
        await events.close();
      },
    };
  },
};

/** Starts the tenant/branding subgraph. */
export function start(options: SubgraphOptions) {
  return startSubgraph(definition, options);
}
