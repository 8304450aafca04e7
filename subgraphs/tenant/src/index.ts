import { runMain, subgraphOptionsFromEnv } from '@wisp/shared';
import { start } from './server.ts';

runMain('tenant subgraph', () => start(subgraphOptionsFromEnv('TENANT_PORT', 4001)));
