import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { assertPortFree, freePort, waitForPort } from './net.ts';
import { spawnService, type Child } from './processes.ts';

export const FERRETDB_VERSION = 'v1.24.2';

/** Where the install step caches the FerretDB binary: outside the clone, so every checkout and CI reuse it. */
export function ferretDbBinary(): string {
  if (process.env.FERRETDB_BIN) return process.env.FERRETDB_BIN;
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(cache, 'wisp-portal', `ferretdb-${FERRETDB_VERSION}`);
}

/** Raised when there is neither an embedded database binary nor a MONGODB_URI; its message is the whole story. */
export class NoDatabaseError extends Error {}

export interface EmbeddedDb {
  uri: string;
  port: number;
  stop: () => Promise<void>;
}

/** Starts FerretDB (SQLite backend) on loopback with its files under `dataDir`. */
export async function startFerretDb({ dataDir, port, logFile, pidFile }: { dataDir: string; port?: number; logFile?: string; pidFile?: string }): Promise<EmbeddedDb> {
  const bin = ferretDbBinary();
  if (!existsSync(bin)) {
    throw new NoDatabaseError(
      `The embedded database (FerretDB ${FERRETDB_VERSION}) is not built: expected ${bin}.\n` +
        '  Install Go (1.24 or newer) and run `npm install` again, which builds it,\n' +
        '  or set MONGODB_URI to a MongoDB 7 server (a replica set in production).',
    );
  }
  mkdirSync(dataDir, { recursive: true });
  const listen = port ?? (await freePort());
  await assertPortFree(listen, 'the embedded database (FERRETDB_PORT)');
  const child: Child = spawnService(
    bin,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dataDir}/`,
      `--state-dir=${dataDir}`,
      '--telemetry=disable',
      '--debug-addr=-',
      `--listen-addr=127.0.0.1:${listen}`,
      '--log-level=warn',
    ],
    { logFile: logFile ?? join(dataDir, 'ferretdb.log'), pidFile },
  );
  const exited = new Promise<never>((_, reject) =>
    child.process.once('exit', (code) => reject(new Error(`FerretDB exited (code ${code}); see ${logFile ?? join(dataDir, 'ferretdb.log')}`))),
  );
  await Promise.race([waitForPort(listen), exited]);
  return { uri: `mongodb://127.0.0.1:${listen}/`, port: listen, stop: child.stop };
}
