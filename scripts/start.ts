/**
 * `npm start`: the whole stack on this machine — embedded database, auth emulator, four
 * subgraphs, gateway, portal and demo data — then the URLs and demo logins.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { NoDatabaseError, portFromEnv, stopLeftover } from '@wisp/shared';
import { DEMO_PASSWORD_DEFAULT, TENANTS } from './demoData.ts';
import { seedDemo } from './seed.ts';
import { startWebhookReceiver } from './webhookReceiver.ts';
import { ROOT, startInfra, startPortal, startServices } from './stack.ts';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function buildPortalIfStale() {
  const built = join(ROOT, 'portal', 'build', 'index.js');
  const sources = Math.max(newestMtime(join(ROOT, 'portal', 'src')), newestMtime(join(ROOT, 'portal', 'static')));
  if (existsSync(built) && statSync(built).mtimeMs > sources) return;
  process.stdout.write('Building the portal…\n');
  execFileSync('npm', ['run', 'build', '-w', '@wisp/portal'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

const stops: (() => Promise<void>)[] = [];
let stopping = false;

async function shutdown(code = 0) {
  // Ctrl+C reaches both npm's runner and this process: the second signal must not cut cleanup short.
  if (stopping) return;
  stopping = true;
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  process.exit(code);
}

async function main() {
  const dataDir = join(ROOT, '.data');
  mkdirSync(dataDir, { recursive: true });
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGHUP', () => void shutdown());
  for (const name of ['embedded-db', 'auth-emulator', 'portal']) await stopLeftover(join(dataDir, `${name}.pid`));

  const infra = await startInfra({
    dataDir,
    dbPort: portFromEnv('EMBEDDED_DB_PORT', 27018),
    emulatorPort: portFromEnv('AUTH_EMULATOR_PORT', 9099),
    pidFiles: true,
    persistent: true,
  });
  stops.push(infra.stop);
  // A local stack answers development tools; deployments leave introspection off.
  process.env.GRAPHQL_INTROSPECTION ??= 'true';
  // The demo webhook receiver listens on this machine over plain http; deployments never set this.
  process.env.WEBHOOKS_ALLOW_LOOPBACK ??= '1';
  const receiver = await startWebhookReceiver({ port: portFromEnv('WEBHOOK_RECEIVER_PORT', 4010), keep: 50 });
  stops.push(receiver.stop);
  const identitySecret = process.env.IDENTITY_SECRET ?? randomBytes(32).toString('base64url');
  const dbPrefix = process.env.MONGODB_DB_PREFIX ?? 'wisp';
  const services = await startServices({
    mongoUri: infra.mongoUri,
    dbPrefix,
    identitySecret,
    projectId: infra.projectId,
    ports: {
      gateway: portFromEnv('GATEWAY_PORT', 4000),
      tenant: portFromEnv('TENANT_PORT', 4001),
      customer: portFromEnv('CUSTOMER_PORT', 4002),
      workOrder: portFromEnv('WORK_ORDER_PORT', 4003),
      messaging: portFromEnv('MESSAGING_PORT', 4004),
    },
  });
  stops.push(services.stop);
  const { logins, password, apiKeys, webhooks } = await seedDemo({ mongo: { uri: infra.mongoUri, dbPrefix }, webhookReceiverUrl: receiver.url });
  for (const w of webhooks) receiver.secrets.set(new URL(w.url).pathname, [w.secret]);
  buildPortalIfStale();
  const portalPort = portFromEnv('PORTAL_PORT', 3000);
  const portal = await startPortal({
    port: portalPort,
    gatewayUrl: services.gatewayUrl,
    emulatorHost: infra.emulatorHost,
    projectId: infra.projectId,
    logFile: join(dataDir, 'portal.log'),
    pidFile: join(dataDir, 'portal.pid'),
  });
  stops.push(portal.stop);

  const pad = (s: string, n: number) => s.padEnd(n);
  const lines = [
    '',
    'The WISP portal stack is running.',
    '',
    ...TENANTS.map((t) => `  ${pad(t.name, 24)} http://${t.slug}.localhost:${portalPort}/`),
    `  ${pad('GraphQL gateway', 24)} ${services.gatewayUrl}`,
    `  ${pad('Auth emulator', 24)} http://${infra.emulatorHost}`,
    `  ${pad('Database', 24)} ${infra.mongoUri}`,
    '',
    `Demo logins (password: ${password === DEMO_PASSWORD_DEFAULT ? password : 'the DEMO_PASSWORD you set'}):`,
    ...logins.map((l) => `  ${pad(l.email, 26)} ${pad(l.role, 18)} ${l.tenant ? `at ${l.tenant}` : 'platform'}`),
    '',
    'Demo integrator API keys (every scope; development only, new on every start):',
    ...apiKeys.map((k) => `  ${pad(k.tenant, 10)} ${k.key}`),
    '',
    `Reply by email: POST raw messages to ${services.gatewayUrl.replace(/\/graphql$/, '')}/inbound/email with "Authorization: Bearer ${services.reply.inboundSecret}"`,
    `  (reply addresses reply+<token>@${services.reply.domain}; set REPLY_TOKEN_SECRET and INBOUND_EMAIL_SECRET to keep them across restarts)`,
    '',
    `Demo webhook receiver (verifies signatures; the last 50 deliveries as JSON): ${receiver.url}/`,
    ...webhooks.map((w) => `  ${pad(w.tenant, 10)} endpoint ${w.url}  secret ${w.secret}`),
    '',
    'A token for the API: npm run token -- alice@skyline.example --tenant skyline',
    'Press Ctrl+C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((err: unknown) => {
  if (err instanceof NoDatabaseError) process.stderr.write(`\n${err.message}\n\n`);
  else process.stderr.write(`\nThe stack could not start: ${err instanceof Error ? err.message : String(err)}\n`);
  void shutdown(1);
});
