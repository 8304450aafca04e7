import { readFileSync } from 'node:fs';
import { startSubgraph, type SubgraphDefinition, type SubgraphOptions } from '@wisp/shared';
import { parse } from 'graphql';
import { createLoaders, type Loaders } from './loaders.ts';
import { createModels, type Models } from './models/index.ts';
import { resolvers } from './resolvers/index.ts';
import { openServices, type Services } from './services.ts';

export const definition: SubgraphDefinition<Models, Loaders, Services> = {
  name: 'messaging',
  typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
  resolvers: resolvers as SubgraphDefinition<Models, Loaders, Services>['resolvers'],
  models: createModels,
  loaders: createLoaders,
  // Read markers change nothing anyone else sees; recording every one would drown the trail.
  audit: { queryField: 'messageAuditLog', category: 'MESSAGE', skip: ['markConversationRead', 'markAgentNotificationRead'] },
  setup: openServices,
};

/** Starts the messaging subgraph. */
export function start(options: SubgraphOptions) {
  return startSubgraph(definition, options);
}
