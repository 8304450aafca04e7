import { runMain, subgraphOptionsFromEnv } from '@wisp/shared';
import { start } from './server.ts';

runMain('work-order subgraph', () => start(subgraphOptionsFromEnv('WORK_ORDER_PORT', 4003)));
