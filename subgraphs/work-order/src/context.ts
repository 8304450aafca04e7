import type { SubgraphContext } from '@wisp/shared';
import type { Loaders } from './loaders.ts';
import type { Models } from './models/index.ts';
import type { Services } from './services.ts';

export type Context = SubgraphContext<Models, Loaders, Services>;
