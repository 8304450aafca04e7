import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { assertPortFree, freePort, waitForPort } from './net.ts';
import { spawnService, type Child } from './processes.ts';

/** The mongo-java-server release the install step fetches (scripts/embedded-db/pom.xml). */
export const EMBEDDED_DB_VERSION = '1.47.0';
const MIN_JAVA = 17;

/**
 * Where the install step keeps the embedded database: its jars in `lib/`, the compiled launcher in
 * `launcher/`. Outside the clone, so every checkout and CI run on a machine share one download.
 * Same rule as in scripts/install-embedded-db.mjs; keep the two in step.
 */
export function embeddedDbHome(): string {
  if (process.env.EMBEDDED_DB_HOME) return process.env.EMBEDDED_DB_HOME;
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(cache, 'wisp-portal', `mongo-java-server-${EMBEDDED_DB_VERSION}`);
}

/** Raised when there is neither a usable embedded database nor a MONGODB_URI; its message is the whole story. */
export class NoDatabaseError extends Error {}

export interface EmbeddedDb {
  uri: string;
  port: number;
  stop: () => Promise<void>;
}

/** The major version of the `java` on PATH, or null when there is none. */
export function javaMajorVersion(): number | null {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error) return null;
  // `java -version` prints e.g. `openjdk version "17.0.15"` (or `"1.8.0_402"` for Java 8) on stderr.
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${probe.stderr}${probe.stdout}`);
  if (!m) return null;
  const major = Number(m[1]);
  return major === 1 ? Number(m[2] ?? 0) : major;
}

/** Options for {@link startEmbeddedDb}. */
export interface EmbeddedDbOptions {
  /** H2 file that keeps the data across restarts (`npm start`); omit for an in-memory database (tests). */
  file?: string;
  /** Loopback port; a free one when omitted. */
  port?: number;
  /** Where the server's output goes. */
  logFile: string;
  /** Written with the server's pid, so a later start can stop a leftover one. */
  pidFile?: string;
  /** Maximum JVM heap. @default process.env.EMBEDDED_DB_HEAP ?? "1g" */
  heap?: string;
}

/**
 * Starts mongo-java-server on 127.0.0.1 through the project's launcher (scripts/embedded-db):
 * H2 backend when `file` is given, memory backend otherwise, with a bounded heap. `stop()` sends
 * SIGTERM, on which the launcher closes the server and commits and closes the H2 file.
 */
export async function startEmbeddedDb(options: EmbeddedDbOptions): Promise<EmbeddedDb> {
  const home = embeddedDbHome();
  const java = javaMajorVersion();
  if (java === null || java < MIN_JAVA) {
    throw new NoDatabaseError(
      `${java === null ? 'No Java runtime was found (no `java` on PATH)' : `Java ${java} is too old`}: the embedded database (mongo-java-server ${EMBEDDED_DB_VERSION}) needs Java ${MIN_JAVA} or newer.\n` +
        `  Install a JDK ${MIN_JAVA}+ and Maven (Debian: apt-get install -y openjdk-17-jdk-headless maven) and run \`npm install\` again,\n` +
        '  or set MONGODB_URI to a MongoDB 7 server (a replica set in production).',
    );
  }
  const lib = join(home, 'lib');
  const launcher = join(home, 'launcher');
  if (!existsSync(join(launcher, 'EmbeddedMongo.class')) || !existsSync(lib)) {
    throw new NoDatabaseError(
      `The embedded database (mongo-java-server ${EMBEDDED_DB_VERSION}) is not installed: expected it in ${home}.\n` +
        '  Run `npm install` again (it fetches it with Maven; needs Java 17+ and `mvn` on PATH),\n' +
        '  or set MONGODB_URI to a MongoDB 7 server (a replica set in production).',
    );
  }
  if (options.file) mkdirSync(join(options.file, '..'), { recursive: true });
  const port = options.port ?? (await freePort());
  await assertPortFree(port, 'the embedded database (EMBEDDED_DB_PORT)');
  const heap = options.heap ?? process.env.EMBEDDED_DB_HEAP ?? '1g';
  const child: Child = spawnService(
    'java',
    [
      `-Xmx${heap}`,
      '-XX:+ExitOnOutOfMemoryError',
      '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
      '-cp',
      `${join(lib, '*')}:${launcher}`,
      'EmbeddedMongo',
    ],
    {
      logFile: options.logFile,
      pidFile: options.pidFile,
      env: { ...process.env, EMBEDDED_DB_PORT: String(port), EMBEDDED_DB_HOST: '127.0.0.1', EMBEDDED_DB_FILE: options.file ?? '' },
    },
  );
  const exited = new Promise<never>((_, reject) =>
    child.process.once('exit', (code) => reject(new Error(`The embedded database exited (code ${code}); see ${options.logFile}`))),
  );
  exited.catch(() => undefined);
  await Promise.race([waitForPort(port, '127.0.0.1', 60_000), exited]);
  return { uri: `mongodb://127.0.0.1:${port}/`, port, stop: child.stop };
}
