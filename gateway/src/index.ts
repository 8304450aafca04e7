import { firebaseProjectId, portFromEnv, requireEnv, runMain } from '@wisp/shared';
import { rateLimitsFromEnv, start } from './server.ts';

runMain('gateway', () =>
  start({
    port: portFromEnv('GATEWAY_PORT', 4000),
    host: process.env.HOST ?? '127.0.0.1',
    identitySecret: requireEnv('IDENTITY_SECRET'),
    firebaseProjectId: firebaseProjectId(),
    subgraphUrls: {
      tenant: process.env.TENANT_URL,
      customer: process.env.CUSTOMER_URL,
      'work-order': process.env.WORK_ORDER_URL,
      messaging: process.env.MESSAGING_URL,
    },
    rateLimits: rateLimitsFromEnv(),
    // Live updates follow the event log the subgraphs write; without MONGODB_URI subscriptions are refused.
    // Rate-limit budgets live beside it, in the gateway's own database.
    eventLog: process.env.MONGODB_URI ? { uri: process.env.MONGODB_URI, dbPrefix: process.env.MONGODB_DB_PREFIX ?? 'wisp' } : undefined,
  }),
);
