import { readFileSync } from 'node:fs';
import { startSubgraph, type SubgraphDefinition, type SubgraphOptions } from '@wisp/shared';
import { parse } from 'graphql';
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
  setup: async (_conn, options, models, log) => ({
    services: undefined,
    routes: tenantRoutes({ models, log, identitySecret: options.identitySecret }),
  }),
};

/** Starts the tenant/branding subgraph. */
export function start(options: SubgraphOptions) {
  return startSubgraph(definition, options);
}
