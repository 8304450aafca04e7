/**
 * Starts the stack's parts in one process: the embedded database and auth emulator (unless
 * MONGODB_URI / FIREBASE_AUTH_EMULATOR_HOST point elsewhere), the four subgraphs and the gateway,
 * and the built portal as a child process. `npm start` and the test suite both use it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { assertPortFree, spawnService, startAuthEmulator, startEmbeddedDb, waitForPort, freePort, type Child, type MongoOptions } from '@wisp/shared';
import { start as startCustomer } from '@wisp/subgraph-customer';
import { start as startMessaging } from '@wisp/subgraph-messaging';
import { start as startTenant } from '@wisp/subgraph-tenant';
import { start as startWorkOrder } from '@wisp/subgraph-work-order';
import { start as startGateway, type RateLimitOptions } from '@wisp/gateway';

export const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '');

export interface Infra {
  mongoUri: string;
  emulatorHost: string;
  projectId: string;
  stop: () => Promise<void>;
}

/** Starts what the services need underneath them, honouring MONGODB_URI and FIREBASE_AUTH_EMULATOR_HOST. */
export async function startInfra({
  dataDir,
  dbPort,
  emulatorPort,
  pidFiles = false,
  persistent = false,
}: {
  dataDir: string;
  dbPort?: number;
  emulatorPort?: number;
  pidFiles?: boolean;
  /** Keep the embedded database's data in a file under `dataDir` (`npm start`); in memory otherwise (tests). */
  persistent?: boolean;
}): Promise<Infra> {
  const stops: (() => Promise<void>)[] = [];
  const projectId = process.env.FIREBASE_PROJECT_ID ?? 'demo-wisp';
  try {
    let mongoUri = process.env.MONGODB_URI;
    if (!mongoUri) {
      const db = await startEmbeddedDb({
        file: persistent ? join(dataDir, 'embedded-db', 'wisp') : undefined,
        port: dbPort,
        logFile: join(dataDir, 'embedded-db.log'),
        pidFile: pidFiles ? join(dataDir, 'embedded-db.pid') : undefined,
      });
      stops.push(db.stop);
      mongoUri = db.uri;
    }
    let emulatorHost = process.env.FIREBASE_AUTH_EMULATOR_HOST;
    if (!emulatorHost) {
      const emu = await startAuthEmulator({
        dir: join(dataDir, 'auth-emulator'),
        port: emulatorPort,
        projectId,
        pidFile: pidFiles ? join(dataDir, 'auth-emulator.pid') : undefined,
      });
      stops.push(emu.stop);
      emulatorHost = emu.host;
      // firebase-admin reads this when it makes a call: every in-process service now talks to the emulator.
      process.env.FIREBASE_AUTH_EMULATOR_HOST = emulatorHost;
    }
    return { mongoUri, emulatorHost, projectId, stop: () => stopAll(stops) };
  } catch (err) {
    await stopAll(stops);
    throw err;
  }
}

async function stopAll(stops: (() => Promise<void>)[]) {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
}

/** Ports of the services; 0 picks free ones. */
export interface ServicePorts {
  gateway: number;
  tenant: number;
  customer: number;
  workOrder: number;
  messaging: number;
}

export interface Services {
  gatewayUrl: string;
  subgraphUrls: Record<'tenant' | 'customer' | 'work-order' | 'messaging', string>;
  /** Reply by email: what reply addresses are signed with, and what `POST /inbound/email` wants to see. */
  reply: { tokenSecret: string; inboundSecret: string; domain: string };
  stop: () => Promise<void>;
}

export async function startServices(opts: {
  mongoUri: string;
  dbPrefix: string;
  identitySecret: string;
  projectId: string;
  ports?: Partial<ServicePorts>;
  host?: string;
  /** Sees every database command the services send (measurements). */
  onCommand?: MongoOptions['onCommand'];
  /** The gateway's query-cost budgets. @default the gateway's own defaults */
  rateLimits?: RateLimitOptions;
}): Promise<Services> {
  const common = { host: opts.host, mongo: { uri: opts.mongoUri, dbPrefix: opts.dbPrefix, onCommand: opts.onCommand }, identitySecret: opts.identitySecret };
  // Reply by email works on this machine too: secrets of the run unless set (read by the services as they start).
  process.env.REPLY_TOKEN_SECRET ||= randomBytes(32).toString('base64url');
  process.env.INBOUND_EMAIL_SECRET ||= randomBytes(32).toString('base64url');
  // The portal's server vouches with it for each visitor's address; the gateway and the portal (started from this environment) share it.
  process.env.CLIENT_ADDRESS_SECRET ||= randomBytes(32).toString('base64url');
  const reply = { tokenSecret: process.env.REPLY_TOKEN_SECRET, inboundSecret: process.env.INBOUND_EMAIL_SECRET, domain: process.env.REPLY_DOMAIN || 'reply.localhost' };
  const p = opts.ports ?? {};
  const stops: (() => Promise<void>)[] = [];
  try {
    const [tenant, customer, workOrder, messaging] = await Promise.all([
      startTenant({ ...common, port: p.tenant ?? 0 }),
      startCustomer({ ...common, port: p.customer ?? 0 }),
      startWorkOrder({ ...common, port: p.workOrder ?? 0 }),
      startMessaging({ ...common, port: p.messaging ?? 0 }),
    ]);
    stops.push(tenant.stop, customer.stop, workOrder.stop, messaging.stop);
    const subgraphUrls = { tenant: tenant.url, customer: customer.url, 'work-order': workOrder.url, messaging: messaging.url };
    const gateway = await startGateway({
      port: p.gateway ?? 0,
      host: opts.host,
      identitySecret: opts.identitySecret,
      firebaseProjectId: opts.projectId,
      subgraphUrls,
      eventLog: common.mongo,
      rateLimits: opts.rateLimits,
    });
    stops.unshift(gateway.stop);
    // Notification emails' one-click unsubscribe goes to the gateway (read when a message is rendered).
    process.env.PUBLIC_GATEWAY_URL ??= gateway.url;
    return { gatewayUrl: gateway.url, subgraphUrls, reply, stop: () => stopAll(stops.reverse()) };
  } catch (err) {
    await stopAll(stops);
    throw err;
  }
}

/** Runs the built portal (adapter-node) against a gateway. */
export async function startPortal(opts: { port?: number; gatewayUrl: string; emulatorHost: string; projectId: string; logFile: string; pidFile?: string; entry?: string }): Promise<Child & { port: number }> {
  // `entry`: another build of the portal (a benchmark comparing two versions side by side).
  const entry = opts.entry ?? join(ROOT, 'portal', 'build', 'index.js');
  if (!existsSync(entry)) throw new Error('The portal is not built: run `npm run build -w @wisp/portal`.');
  const port = opts.port ?? (await freePort());
  await assertPortFree(port, 'the portal (PORTAL_PORT)');
  const child = spawnService(process.execPath, [entry], {
    logFile: opts.logFile,
    pidFile: opts.pidFile,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      GATEWAY_URL: opts.gatewayUrl,
      PUBLIC_GATEWAY_URL: opts.gatewayUrl,
      PUBLIC_FIREBASE_API_KEY: 'demo-api-key',
      PUBLIC_FIREBASE_PROJECT_ID: opts.projectId,
      PUBLIC_FIREBASE_AUTH_EMULATOR_URL: `http://${opts.emulatorHost}`,
      // Messages may carry up to five 10 MB files through the portal's server (its default is 512 kB).
      BODY_SIZE_LIMIT: '52M',
    },
  });
  await waitForPort(port);
  return { ...child, port };
}
