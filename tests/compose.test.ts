/**
 * Keeps docker-compose.yml honest about the environment: every variable a service's code reads
 * must be set for that service, every value the file sets must be non-empty, and MongoDB must run
 * as a replica set. A renamed or newly read variable fails here instead of in a container.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

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
  FERRETDB_BIN: 'locates the embedded database, which only runs without MONGODB_URI (development and tests)',
  XDG_CACHE_HOME: 'same: where the embedded database binary is cached',
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
