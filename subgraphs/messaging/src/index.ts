import { runMain, subgraphOptionsFromEnv } from '@wisp/shared';
import { start } from './server.ts';

runMain('messaging subgraph', () => start(subgraphOptionsFromEnv('MESSAGING_PORT', 4004)));
