import { runMain, subgraphOptionsFromEnv } from '@wisp/shared';
import { start } from './server.ts';

runMain('customer subgraph', () => start(subgraphOptionsFromEnv('CUSTOMER_PORT', 4002)));
