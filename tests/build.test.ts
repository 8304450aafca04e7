/**
 * The production build works as the runtime image uses it: `npm run build`'s bundles import only
 * packages a production install (`npm ci --omit=dev`) provides, find the files they read beside
 * themselves, and run with plain `node` (no TypeScript loader), in the order docker-compose.yml runs
 * them: the seed fills a fresh set of databases, then the four subgraphs and the gateway answer one
 * customer query across all four. Own databases, so other test files' data is never re-seeded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@wisp/shared';
import { emulatorIdToken, gql, signedFor } from '@wisp/shared/testing';
import { build as esbuild } from 'esbuild';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildServices, TARGETS, type TargetName } from '../scripts/build.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SUBGRAPHS = ['tenant', 'customer', 'work-order', 'messaging'] as const;
const PORT_VARS: Record<(typeof SUBGRAPHS)[number], string> = { tenant: 'TENANT_PORT', customer: 'CUSTOMER_PORT', 'work-order': 'WORK_ORDER_PORT', messaging: 'MESSAGING_PORT' };
const URL_VARS: Record<(typeof SUBGRAPHS)[number], string> = { tenant: 'TENANT_URL', customer: 'CUSTOMER_URL', 'work-order': 'WORK_ORDER_URL', messaging: 'MESSAGING_URL' };
/** Tools that must never be needed at runtime (the image does not have them). */
const DEV_TOOLS = ['tsx', 'typescript', 'vitest', 'firebase-tools', 'playwright-core', 'esbuild'];

const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; version?: string }> };

/** The npm package a bare import names (`@scope/name/sub` -> `@scope/name`), or null for builtins. */
function packageOf(specifier: string): string | null {
  if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The lockfile entry Node would load `name` from, importing from `file` (nearest node_modules first). */
function lockEntryFor(name: string, file: string) {
  for (let dir = relative(ROOT, dirname(file)); ; dir = dirname(dir)) {
    const key = join(dir === '.' ? '' : dir, 'node_modules', name);
    if (lock.packages[key]) return { key, ...lock.packages[key] };
    if (dir === '.' || dir === '') return null;
  }
}

/**
 * The npm imports of built files, as a JavaScript parser sees them (text search would also match
 * strings and comments in bundled library code): importing file -> bare specifiers.
 */
async function npmImports(files: string[]): Promise<Map<string, Set<string>>> {
  const { metafile } = await esbuild({ entryPoints: files, absWorkingDir: ROOT, bundle: true, write: false, metafile: true, outdir: 'unused', platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent' });
  const found = new Map<string, Set<string>>();
  for (const [input, { imports }] of Object.entries(metafile.inputs)) {
    const bare = imports.filter((i) => i.external && !i.path.startsWith('.') && !i.path.startsWith('/')).map((i) => i.path);
    if (bare.length) found.set(join(ROOT, input), new Set(bare));
  }
  return found;
}

/** Why each npm import of the built files would fail in the runtime image (empty when none would). */
async function productionProblems(files: string[]): Promise<string[]> {
  return [...(await npmImports(files))].flatMap(([file, specs]) =>
    [...specs].flatMap((spec) => {
      const pkg = packageOf(spec);
      if (!pkg) return [];
      const where = `${relative(ROOT, file)}: ${spec}`;
      if (pkg.startsWith('@wisp/')) return [`${where}: a workspace package must be bundled (its exports are TypeScript)`];
      if (DEV_TOOLS.includes(pkg)) return [`${where}: a development tool`];
      const entry = lockEntryFor(pkg, file);
      if (!entry) return [`${where}: not in package-lock.json`];
      if (entry.dev) return [`${where}: ${entry.key} is a dev dependency, absent from the runtime image`];
      return [];
    }),
  );
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js')).map((f) => join(dir, f));
}

const PORTAL_SERVER = join(ROOT, 'portal/build/server');
const names = Object.keys(TARGETS) as TargetName[];
const bundle = (name: TargetName) => join(ROOT, TARGETS[name].outfile);

beforeAll(async () => {
  await buildServices();
});

describe('npm run build', () => {
  it.each(names)('bundles %s into JavaScript that imports only production dependencies', async (name) => {
    const file = bundle(name);
    expect(readFileSync(file, 'utf8'), 'TypeScript imports left in the bundle').not.toMatch(/from\s*["'][^"']+\.ts["']/);
    const imports = await npmImports([file]);
    expect([...(imports.get(file) ?? [])].filter((s) => packageOf(s)).length, 'found no npm imports; is the import scan still right?').toBeGreaterThan(0);
    expect(await productionProblems([file])).toEqual([]);
  });

  // `npm test` builds the portal before vitest runs; its server imports what adapter-node left external.
  it.skipIf(!existsSync(PORTAL_SERVER))("keeps the portal's server build to production dependencies too", async () => {
    expect(await productionProblems(filesUnder(PORTAL_SERVER))).toEqual([]);
  });

  it.each(names)("copies every file %s reads beside its bundle", (name) => {
    const file = bundle(name);
    const source = readFileSync(file, 'utf8');
    const missing = [...source.matchAll(/new URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url\s*\)/g)]
      .map(([, path]) => resolve(dirname(file), path!))
      .filter((path) => !existsSync(path))
      .map((path) => relative(ROOT, path));
    expect(missing).toEqual([]);
  });
});

interface Started {
  child: ChildProcess;
  output: () => string;
}

/** Runs a built file with plain node: no loader flags inherited from this process. */
function runBuilt(file: string, env: Record<string, string>): Started {
  let output = '';
  const child = spawn(process.execPath, [file], {
    cwd: ROOT,
    // As the compose demo runs them: the test signs in through the Auth emulator, which production mode refuses.
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  return { child, output: () => output };
}

async function waitHealthy(port: number, started: Started, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) throw new Error(`exited with ${started.child.exitCode}:\n${started.output()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`not healthy within ${timeoutMs} ms:\n${started.output()}`);
}

/** How a child ended: its exit code, or the signal that ended it. */
async function exitOf(started: Started): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Sends SIGTERM and waits; a process still running after `graceMs` is killed and reported. */
async function stopWithin(started: Started, graceMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null } | 'hung'> {
  started.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([exitOf(started), new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), graceMs)))]);
  clearTimeout(timer);
  if (result === 'hung') {
    started.child.kill('SIGKILL');
    await exitOf(started);
  }
  return result;
}

describe('the built services, run with plain node', () => {
  const started: Started[] = [];
  const secret = inject('identitySecret');
  const common = {
    MONGODB_URI: inject('mongoUri'),
    MONGODB_DB_PREFIX: `${inject('dbPrefix')}_built`,
    IDENTITY_SECRET: secret,
    HOST: '127.0.0.1',
    FIREBASE_AUTH_EMULATOR_HOST: inject('emulatorHost'),
    FIREBASE_PROJECT_ID: inject('projectId'),
    SMTP_URL: 'off',
  };
  let gatewayUrl = '';
  const subgraphUrls: Record<string, string> = {};

  beforeAll(async () => {
    const seed = runBuilt(bundle('seed'), common);
    started.push(seed);
    const seeded = await exitOf(seed);
    if (seeded.code !== 0) throw new Error(`the built seed exited with ${seeded.code ?? seeded.signal}:\n${seed.output()}`);
    const ports = await Promise.all([...SUBGRAPHS, 'gateway'].map(() => freePort()));
    await Promise.all(
      SUBGRAPHS.map(async (name, i) => {
        const s = runBuilt(bundle(name), { ...common, [PORT_VARS[name]]: String(ports[i]) });
        started.push(s);
        await waitHealthy(ports[i]!, s);
        subgraphUrls[name] = `http://127.0.0.1:${ports[i]}/graphql`;
      }),
    );
    const gatewayPort = ports[SUBGRAPHS.length]!;
    const gateway = runBuilt(bundle('gateway'), {
      ...common,
      GATEWAY_PORT: String(gatewayPort),
      ...Object.fromEntries(SUBGRAPHS.map((name) => [URL_VARS[name], subgraphUrls[name]!])),
    });
    started.push(gateway);
    await waitHealthy(gatewayPort, gateway);
    gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
  });

  afterAll(async () => {
    const hung = await Promise.all(started.map(async (s) => ((await stopWithin(s, 15_000)) === 'hung' ? s.output().slice(-2000) : null)));
    expect(hung.filter(Boolean), 'still running 15 s after SIGTERM').toEqual([]);
  });

  it.each(SUBGRAPHS)('serves the %s subgraph its SDL to a signed caller', async (name) => {
    const query = '{ _service { sdl } }';
    const r = await gql(subgraphUrls[name]!, query, {}, { headers: signedFor({ uid: 'u-ops', role: 'PLATFORM_OPERATOR', tenantId: null }, secret, subgraphUrls[name]!, query) });
    expect(r.errors).toBeUndefined();
    expect(r.data?._service.sdl).toContain('@link');
  });

  it("answers a customer's query across all four built subgraphs through the built gateway", async () => {
    const token = await emulatorIdToken('alice@skyline.example', 'skyline');
    const r = await gql(
      gatewayUrl,
      `{ viewer { tenant { name } customer { name tickets(first: 5) { edges { node { number messages(first: 1) { edges { node { body } } } } } } } } }`,
      {},
      { token },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.viewer.tenant.name).toBe('Skyline Wireless');
    expect(r.data?.viewer.customer.name).toBe('Alice Nguyen');
    expect(r.data?.viewer.customer.tickets.edges.length).toBeGreaterThan(0);
  });

  it('drains and exits on SIGTERM, as a container stop sends it', async () => {
    const gateway = started.at(-1)!;
    const result = await stopWithin(gateway, 15_000);
    // Apollo Server stops, then re-raises the signal, so the process ends by SIGTERM rather than with a code.
    expect(result === 'hung' ? result : result.code === 0 ? 'exit 0' : result.signal, gateway.output()).toMatch(/^(exit 0|SIGTERM)$/);
  });
});
