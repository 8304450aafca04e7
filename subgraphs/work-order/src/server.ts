import { readFileSync } from 'node:fs';
import { startSubgraph, type SubgraphDefinition, type SubgraphOptions } from '@wisp/shared';
import { parse } from 'graphql';
import { createLoaders, type Loaders } from './loaders.ts';
import { createModels, type Models } from './models/index.ts';
import { resolvers } from './resolvers/index.ts';
import { openServices, type Services } from './services.ts';

export const definition: SubgraphDefinition<Models, Loaders, Services> = {
  name: 'work-order',
  typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
  resolvers: resolvers as SubgraphDefinition<Models, Loaders, Services>['resolvers'],
  models: createModels,
  loaders: createLoaders,
  audit: { queryField: 'ticketAuditLog', category: 'TICKET' },
  setup: openServices,
};

/** Starts the work-order subgraph. */
export function start(options: SubgraphOptions) {
  return startSubgraph(definition, options);
}
