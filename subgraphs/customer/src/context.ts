import type { SubgraphContext } from '@wisp/shared';
import type { Loaders } from './loaders.ts';
import type { Models } from './models/index.ts';
import type { PortalServices } from './portal/services.ts';

/** The subgraph's collections plus the services provisioning uses (outbox, tenants, Firebase). */
export type CustomerModels = Models & { services: PortalServices; nudgeWorker: () => void };

export type Context = SubgraphContext<CustomerModels, Loaders>;
