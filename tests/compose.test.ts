/**
 * Keeps docker-compose.yml honest about the environment: every variable a service's code reads
 * must be set for that service, every value the file sets must be non-empty, and MongoDB must run
 * as a replica set. A renamed or newly read variable fails here instead of in a container.
 * The images too, read as text (no Docker engine needed): the runtime image gets production
 * dependencies and build output only, each service runs a file `npm run build` produces, and the
 * auth emulator's image holds firebase-tools at the version the tests use.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TARGETS } from '../scripts/build.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SHARED = 'packages/shared/src';

/**
 * Where each service's code lives. Folders are scanned whole; `entry` files are followed through
 * their relative imports instead, for folders that hold several unrelated programs (scripts/ also
 * has start.ts and token.ts, which are development tools, not part of the seed).
 */
const SOURCES: Record<string, { folders: string[]; entry?: string[] }> = {
  tenant: { folders: ['subgraphs/tenant/src', SHARED] },
  customer: { folders: ['subgraphs/customer/src', SHARED] },
  'work-order': { folders: ['subgraphs/work-order/src', SHARED] },
  messaging: { folders: ['subgraphs/messaging/src', SHARED] },
  gateway: { folders: ['gateway/src', SHARED] },
  portal: { folders: ['portal/src'] },
  seed: { folders: [SHARED], entry: ['scripts/seed.ts'] },
};

/** Variables code may read that a container does not need; each entry says why. */
const OPTIONAL_EVERYWHERE: Record<string, string> = {
  APOLLO_KEY: 'Apollo usage reporting, off unless an operator configures it (packages/shared/src/inlineTrace.ts)',
  DEBUG: 'opt-in debug logging (packages/shared/src/log.ts)',
  EMBEDDED_DB_HOME: 'locates the embedded database, which only runs without MONGODB_URI (development and tests)',
  EMBEDDED_DB_HEAP: 'same: the embedded database\'s JVM heap',
  XDG_CACHE_HOME: 'same: where the embedded database is cached',
};
const OPTIONAL_FOR: Record<string, Record<string, string>> = {
  seed: {
    HOST: 'read by subgraphOptionsFromEnv() in the shared package, which only subgraphs call',
    IDENTITY_SECRET: 'same: the seed writes to MongoDB directly and serves no requests',
  },
};

const SOURCE_EXTENSIONS = new Set(['.ts', '.js', '.svelte']);

function isScanned(path: string): boolean {
  // Tests and test helpers configure themselves; they are not part of what a container runs.
  return SOURCE_EXTENSIONS.has(extname(path)) && !/\.test\.[jt]s$/.test(path) && !path.split('/').includes('testing');
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : walk(path);
    return isScanned(path) ? [path] : [];
  });
}

/** An entry file plus every file it reaches through relative imports. */
function reachable(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry) || !existsSync(entry)) return seen;
  seen.add(entry);
  for (const [, spec] of readFileSync(entry, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    reachable(resolve(dirname(entry), spec!), seen);
  }
  return seen;
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

const NAME = '([A-Z][A-Z0-9_]*)';
const NODE_READS = [
  new RegExp(`process\\.env\\.${NAME}`, 'g'),
  new RegExp(`process\\.env\\[\\s*['"\`]${NAME}['"\`]\\s*\\]`, 'g'),
  // Shared helpers that read the variable they are given.
  new RegExp(`\\b(?:portFromEnv|requireEnv|subgraphOptionsFromEnv)\\(\\s*['"]${NAME}['"]`, 'g'),
];
/** SvelteKit's runtime environment: `import { env } from '$env/dynamic/private' | '$env/dynamic/public'`. */
const SVELTEKIT_READS = new RegExp(`\\benv\\.${NAME}`, 'g');

/** Variable name -> files (relative to the repo root) that read it. */
function envReads(service: string): Map<string, string[]> {
  const { folders, entry = [] } = SOURCES[service]!;
  const files = new Set(folders.flatMap((f) => walk(join(ROOT, f))));
  for (const e of entry) for (const f of reachable(join(ROOT, e))) if (isScanned(f)) files.add(f);
  const reads = new Map<string, string[]>();
  for (const file of files) {
    const source = stripComments(readFileSync(file, 'utf8'));
    const patterns = /['"]\$env\/dynamic\/(?:private|public)['"]/.test(source) ? [...NODE_READS, SVELTEKIT_READS] : NODE_READS;
    for (const pattern of patterns) {
      for (const [, name] of source.matchAll(pattern)) {
        reads.set(name!, [...(reads.get(name!) ?? []), relative(ROOT, file)]);
      }
    }
  }
  return reads;
}

interface ComposeService {
  build?: string | { context?: string; dockerfile?: string; target?: string };
  image?: string;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test?: string[] | string };
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};

/** A service's environment as a map, whichever of the two compose forms it uses. */
function environmentOf(service: ComposeService): Map<string, string | null> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return new Map(env.map((entry) => (entry.includes('=') ? [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] : [entry, null])));
  }
  return new Map(Object.entries(env).map(([k, v]) => [k, v === null || v === undefined ? null : String(v)]));
}

/** Why a compose value could end up empty, or null when it cannot. */
function emptyReason(value: string | null): string | null {
  if (value === null) return 'has no value (it would be copied from the host, usually unset)';
  if (value.trim() === '') return 'is empty';
  for (const [ref, , op, fallback] of value.matchAll(/\$\{(\w+)(:?[-?])?([^}]*)\}/g)) {
    if (!op) return `takes ${ref} from the host with no default`;
    if (op.endsWith('-') && fallback!.trim() === '') return `defaults ${ref} to an empty string`;
  }
  if (/(^|[^$])\$[A-Za-z_]/.test(value)) return 'takes a bare $VARIABLE from the host with no default';
  return null;
}

describe('docker-compose.yml', () => {
  it('defines every service whose code this test checks', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(Object.keys(SOURCES)));
  });

  it.each(Object.keys(SOURCES))('sets every variable the %s service reads', (service) => {
    const env = environmentOf(compose.services[service] ?? {});
    const optional = { ...OPTIONAL_EVERYWHERE, ...OPTIONAL_FOR[service] };
    const reads = envReads(service);
    expect(reads.size, `found no environment reads for ${service}; are SOURCES still right?`).toBeGreaterThan(0);
    const missing = [...reads]
      .filter(([name]) => !env.has(name) && !(name in optional))
      .map(([name, files]) => `${service}: ${name} (read in ${[...new Set(files)].join(', ')})`);
    expect(missing, `docker-compose.yml does not set these for the ${service} service`).toEqual([]);
  });

  it('gives every variable it sets a non-empty value', () => {
    const problems = Object.entries(compose.services).flatMap(([service, definition]) =>
      [...environmentOf(definition)].flatMap(([name, value]) => {
        const reason = emptyReason(value);
        return reason ? [`${service}: ${name} ${reason}`] : [];
      }),
    );
    expect(problems).toEqual([]);
  });

  it('runs MongoDB as a replica set that every client names', () => {
    const mongo = compose.services.mongo!;
    const command = Array.isArray(mongo.command) ? mongo.command.join(' ') : (mongo.command ?? '');
    const replSet = /--replSet[ =](\S+)/.exec(command)?.[1];
    expect(replSet, 'mongo must start with --replSet').toBeTruthy();
    expect(JSON.stringify(mongo.healthcheck?.test ?? ''), 'the healthcheck initiates the replica set').toContain('rs.initiate');
    for (const [service, definition] of Object.entries(compose.services)) {
      const uri = environmentOf(definition).get('MONGODB_URI');
      if (uri) expect(uri, `${service}: MONGODB_URI`).toContain(`replicaSet=${replSet}`);
    }
  });

  it('points the gateway at the ports the subgraphs listen on', () => {
    const gateway = environmentOf(compose.services.gateway!);
    for (const [service, urlVar, portVar] of [
      ['tenant', 'TENANT_URL', 'TENANT_PORT'],
      ['customer', 'CUSTOMER_URL', 'CUSTOMER_PORT'],
      ['work-order', 'WORK_ORDER_URL', 'WORK_ORDER_PORT'],
      ['messaging', 'MESSAGING_URL', 'MESSAGING_PORT'],
    ] as const) {
      const port = environmentOf(compose.services[service]!).get(portVar);
      expect(gateway.get(urlVar), `gateway: ${urlVar}`).toBe(`http://${service}:${port}/graphql`);
    }
  });
});

/** One Dockerfile instruction, continuation lines joined. */
interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

function parseDockerfile(path: string): Stage[] {
  const lines = readFileSync(path, 'utf8').replace(/\\\n/g, ' ').split('\n');
  const stages: Stage[] = [];
  for (const line of lines.map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const [, op, args] = /^(\S+)\s*(.*)$/.exec(line)!;
    const instruction = { op: op!.toUpperCase(), args: args!.replace(/\s+/g, ' ') };
    if (instruction.op === 'FROM') {
      const [, from, name] = /^(?:--\S+ )*(\S+)(?: AS (\S+))?$/i.exec(instruction.args)!;
      stages.push({ name: name ?? String(stages.length), from: from!, instructions: [] });
    } else if (stages.length) {
      stages.at(-1)!.instructions.push(instruction);
    } else {
      // ARG before the first FROM: global, kept on a pseudo-stage.
      stages.push({ name: '(global)', from: '', instructions: [instruction] });
    }
  }
  return stages;
}

/** A stage and the stages it is built FROM, nearest first. */
function lineage(stages: Stage[], name: string): Stage[] {
  const stage = stages.find((s) => s.name === name);
  return stage ? [stage, ...lineage(stages, stage.from)] : [];
}

/** COPY's flags and its sources (everything but the last argument). */
function copyParts(args: string): { from?: string; sources: string[] } {
  const words = args.split(' ');
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  const rest = words.filter((w) => !w.startsWith('--'));
  return { ...(from ? { from } : {}), sources: rest.slice(0, -1) };
}

const npmInstalls = (stage: Stage) => stage.instructions.filter((i) => i.op === 'RUN' && /\bnpm (ci|install|i)\b/.test(i.args));

function buildOf(service: ComposeService): { context: string; dockerfile: string; target?: string } | null {
  if (!service.build) return null;
  if (typeof service.build === 'string') return { context: service.build, dockerfile: join(service.build, 'Dockerfile') };
  const context = service.build.context ?? '.';
  return { context, dockerfile: join(context, service.build.dockerfile ?? 'Dockerfile'), ...(service.build.target ? { target: service.build.target } : {}) };
}

const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[]; scripts: Record<string, string> };
const lockfile = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; dev?: boolean }> };
const portalStart = (JSON.parse(readFileSync(join(ROOT, 'portal/package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
/** What the build produces that a container may run: each bundle, and the portal's adapter-node server. */
const BUILT_ENTRIES = [...Object.values(TARGETS).map((t) => t.outfile), join('portal', /^node (\S+)$/.exec(portalStart)![1]!)];

const dockerfile = parseDockerfile(join(ROOT, 'Dockerfile'));
const runtimeServices = Object.entries(compose.services).filter(([, s]) => buildOf(s)?.dockerfile === 'Dockerfile');

describe('the images', () => {
  it('builds every Node service but the auth emulator from the runtime stage of ./Dockerfile', () => {
    expect(runtimeServices.map(([name]) => name).sort()).toEqual(Object.keys(SOURCES).sort());
    for (const [name, service] of runtimeServices) {
      const target = buildOf(service)!.target;
      expect(target, `${name}: build.target`).toBe('runtime');
      expect(dockerfile.map((s) => s.name), `${name}: no stage "${target}" in the Dockerfile`).toContain(target);
    }
  });

  it("copies every workspace's manifest before npm ci, and only files that exist and reach the build context", () => {
    const copied = dockerfile.flatMap((s) => s.instructions.filter((i) => i.op === 'COPY' && !copyParts(i.args).from).flatMap((i) => copyParts(i.args).sources));
    for (const workspace of rootPackage.workspaces) expect(copied, `the Dockerfile does not copy ${workspace}/package.json`).toContain(`${workspace}/package.json`);
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const source of copied.filter((c) => c !== '.')) {
      expect(existsSync(join(ROOT, source)), `COPY ${source}: no such file`).toBe(true);
    }
    // `COPY . .` must not carry the host's installed packages or build output into the build.
    for (const pattern of ['**/node_modules', '**/dist', 'portal/build']) expect(ignored, `.dockerignore: ${pattern}`).toContain(pattern);
  });

  it('gives the runtime stage production dependencies and build output only', () => {
    const [runtime, ...base] = lineage(dockerfile, 'runtime');
    expect(runtime, 'no runtime stage').toBeTruthy();
    // The runtime stage starts from a clean base image, not from a stage that installed dev tools.
    expect(base, `runtime is built FROM ${runtime!.from}, a stage of this file`).toEqual([]);
    for (const install of npmInstalls(runtime!)) expect(install.args, 'npm install in the runtime stage').toContain('--omit=dev');
    const build = dockerfile.find((s) => s.instructions.some((i) => i.op === 'RUN' && i.args === 'npm run build'));
    expect(build, 'a stage that runs npm run build').toBeTruthy();
    for (const copy of runtime!.instructions.filter((i) => i.op === 'COPY')) {
      const { from, sources } = copyParts(copy.args);
      expect(from, `COPY ${copy.args}: the runtime stage copies from other stages only`).toBeTruthy();
      if (from === build!.name) {
        // From the build stage: what the build produced, and the committed supergraph the gateway reads.
        for (const source of sources.map((s) => relative('/app', s))) {
          const isOutput = source === 'schema/supergraph.graphql' || BUILT_ENTRIES.some((entry) => dirname(entry) === source);
          expect(isOutput, `COPY --from=${from} ${source}: not build output`).toBe(true);
        }
      } else {
        const installs = lineage(dockerfile, from!).flatMap(npmInstalls);
        expect(installs.length, `stage ${from} installs nothing`).toBeGreaterThan(0);
        for (const install of installs) expect(install.args, `stage ${from}: ${install.args}`).toContain('--omit=dev');
      }
    }
    expect(JSON.stringify(runtime!.instructions), 'the runtime stage runs no TypeScript').not.toMatch(/\btsx\b|\.ts\b/);
  });

  it('leaves the development tools out of a production install', () => {
    // What `npm ci --omit=dev` installs: every lockfile entry not marked dev.
    const production = Object.entries(lockfile.packages).filter(([key, entry]) => key.includes('node_modules/') && !entry.dev);
    const names = new Set(production.map(([key]) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length)));
    const present = ['tsx', 'typescript', 'vitest', 'firebase-tools', 'playwright-core', 'esbuild', 'vite', '@sveltejs/kit'].filter((tool) => names.has(tool));
    expect(present).toEqual([]);
  });

  it.each(runtimeServices.map(([name]) => name))('runs the %s service with plain node on a file the build produces', (name) => {
    const command = compose.services[name]!.command;
    expect(Array.isArray(command), `${name}: command as a list`).toBe(true);
    const [program, entry, ...rest] = command as string[];
    expect(program).toBe('node');
    expect(rest).toEqual([]);
    expect(BUILT_ENTRIES, `${name} runs ${entry}, which the build does not produce`).toContain(entry);
    const [runtime] = lineage(dockerfile, 'runtime');
    const copiedToRuntime = runtime!.instructions.filter((i) => i.op === 'COPY').flatMap((i) => copyParts(i.args).sources.map((s) => relative('/app', s)));
    expect(copiedToRuntime, `the runtime stage does not copy ${dirname(entry!)}`).toContain(dirname(entry!));
  });

  it('builds the auth emulator its own image: firebase-tools at the version the tests run, and nothing of the platform', () => {
    const emulator = compose.services['auth-emulator']!;
    const build = buildOf(emulator);
    expect(build, 'auth-emulator: build').toBeTruthy();
    expect(build!.dockerfile).not.toBe('Dockerfile');
    expect(emulator.image).not.toBe(compose.services.gateway!.image);
    const stages = parseDockerfile(join(ROOT, build!.dockerfile));
    const all = stages.flatMap((s) => s.instructions);
    const version = all.find((i) => i.op === 'ARG' && i.args.startsWith('FIREBASE_TOOLS_VERSION='))?.args.split('=')[1];
    expect(version, 'ARG FIREBASE_TOOLS_VERSION').toBe(lockfile.packages['node_modules/firebase-tools']!.version);
    const installs = stages.flatMap(npmInstalls).map((i) => i.args);
    expect(installs).toEqual([expect.stringContaining('npm install --global --ignore-scripts "firebase-tools@${FIREBASE_TOOLS_VERSION}"')]);
    for (const copy of all.filter((i) => i.op === 'COPY')) {
      for (const source of copyParts(copy.args).sources) expect(existsSync(join(ROOT, build!.context, source)), `COPY ${source} (context ${build!.context})`).toBe(true);
    }
    const cmd = JSON.stringify(all.find((i) => i.op === 'CMD')?.args ?? '');
    expect(cmd).toContain('emulators:start');
    expect(cmd).toContain('--only');
    expect(JSON.stringify(emulator.healthcheck?.test ?? '')).toContain(':9099/');
  });
});
