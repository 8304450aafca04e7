/**
 * For a subgraph's own tests: only the database underneath (the embedded one, or MONGODB_URI).
 * Each test file starts the one subgraph it tests, in-process, on databases of its own, and plays
 * the other services by appending their events to the log: no gateway, no other subgraph, no
 * portal build.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedDb } from '@wisp/shared';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    identitySecret: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'wisp-subgraph-test-'));
  let stop = async () => {};
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    const db = await startEmbeddedDb({ logFile: join(dir, 'embedded-db.log') });
    stop = db.stop;
    uri = db.uri;
  }
  project.provide('mongoUri', uri);
  project.provide('identitySecret', randomBytes(32).toString('base64url'));
  return async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
