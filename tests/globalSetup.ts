/**
 * Starts one real stack for the whole test run: the embedded database (or MONGODB_URI), the
 * Firebase Auth emulator, the four subgraphs, the gateway, the demo data and, when it is built,
 * the portal. Everything runs on free ports and a throw-away directory, removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { seedDemo } from '../scripts/seed.ts';
import { ROOT, startInfra, startPortal, startServices } from '../scripts/stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    gatewayUrl: string;
    subgraphUrls: Record<'tenant' | 'customer' | 'work-order' | 'messaging', string>;
    mongoUri: string;
    dbPrefix: string;
    emulatorHost: string;
    projectId: string;
    identitySecret: string;
    /** The Twilio auth token the stack checks SMS webhook signatures with (no texts are sent: no provider). */
    twilioAuthToken: string;
    /** The public base address Twilio is told to call the SMS webhooks at (the gateway's). */
    smsWebhookBase: string;
    /** Reply by email: the run's REPLY_TOKEN_SECRET and INBOUND_EMAIL_SECRET, and the reply domain. */
    reply: { tokenSecret: string; inboundSecret: string; domain: string };
    /** 0 when the portal is not built (browser tests then fail with a clear message). */
    portalPort: number;
    /** The run's CLIENT_ADDRESS_SECRET, with which the portal's server vouches to the gateway for a visitor's address. */
    clientAddressSecret: string;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), 'wisp-test-'));
  const stops: (() => Promise<void>)[] = [];
  const teardown = async () => {
    // Each part gets a bounded time, so one that hangs cannot keep the rest (and their ports) alive.
    for (const stop of stops.reverse()) {
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        stop().then(() => 'stopped', () => 'failed'),
        new Promise<string>((resolve) => (timer = setTimeout(() => resolve('timed out'), 8_000))),
      ]);
      clearTimeout(timer);
      if (outcome !== 'stopped') console.error(`test stack: a part ${outcome} while stopping after ${Date.now() - started} ms`);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const infra = await startInfra({ dataDir });
    stops.push(infra.stop);
    const identitySecret = randomBytes(32).toString('base64url');
    // Webhook receivers in tests listen on this machine, and retries and disabling must happen in seconds.
    Object.assign(process.env, {
      WEBHOOKS_ALLOW_LOOPBACK: '1',
      WEBHOOKS_TIMEOUT_MS: process.env.WEBHOOKS_TIMEOUT_MS ?? '3000',
      WEBHOOKS_RETRY_BASE_MS: process.env.WEBHOOKS_RETRY_BASE_MS ?? '200',
      WEBHOOKS_RETRY_MAX_MS: process.env.WEBHOOKS_RETRY_MAX_MS ?? '800',
      WEBHOOKS_DISABLE_AFTER_MS: process.env.WEBHOOKS_DISABLE_AFTER_MS ?? '2000',
      WEBHOOKS_DISABLE_AFTER_FAILURES: process.env.WEBHOOKS_DISABLE_AFTER_FAILURES ?? '6',
      WEBHOOKS_POLL_MS: process.env.WEBHOOKS_POLL_MS ?? '100',
      // Customer notifications group changes for a moment, not two minutes, in tests.
      NOTIFICATION_GROUP_WINDOW_MS: process.env.NOTIFICATION_GROUP_WINDOW_MS ?? '300',
      NOTIFICATION_POLL_MS: process.env.NOTIFICATION_POLL_MS ?? '100',
      // Twilio's webhooks are checked against a token of this run; texts stay in the outbox (no provider).
      TWILIO_AUTH_TOKEN: randomBytes(16).toString('hex'),
      SMS_PROVIDER: 'off',
    });
    const dbPrefix = `test_${Date.now().toString(36)}`;
    const services = await startServices({ mongoUri: infra.mongoUri, dbPrefix, identitySecret, projectId: infra.projectId });
    stops.push(services.stop);
    // What Twilio would be told to call: the gateway, which forwards /inbound/sms to the customer subgraph.
    const smsWebhookBase = new URL(services.gatewayUrl).origin;
    process.env.SMS_WEBHOOK_BASE_URL = smsWebhookBase;
    await seedDemo({ mongo: { uri: infra.mongoUri, dbPrefix } });
    let portalPort = 0;
    if (existsSync(join(ROOT, 'portal', 'build', 'index.js'))) {
      const portal = await startPortal({ gatewayUrl: services.gatewayUrl, emulatorHost: infra.emulatorHost, projectId: infra.projectId, logFile: join(dataDir, 'portal.log') });
      stops.push(portal.stop);
      portalPort = portal.port;
      // Links in emails point at this run's portal (the customer subgraph runs in this process).
      process.env.PORTAL_URL_TEMPLATE = `http://{slug}.localhost:${portal.port}`;
    }
    project.provide('gatewayUrl', services.gatewayUrl);
    project.provide('subgraphUrls', services.subgraphUrls);
    project.provide('mongoUri', infra.mongoUri);
    project.provide('dbPrefix', dbPrefix);
    project.provide('emulatorHost', infra.emulatorHost);
    project.provide('projectId', infra.projectId);
    project.provide('identitySecret', identitySecret);
    project.provide('twilioAuthToken', process.env.TWILIO_AUTH_TOKEN!);
    project.provide('smsWebhookBase', smsWebhookBase);
    project.provide('reply', services.reply);
    project.provide('portalPort', portalPort);
    project.provide('clientAddressSecret', process.env.CLIENT_ADDRESS_SECRET!);
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}
