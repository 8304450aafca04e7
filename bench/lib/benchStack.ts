/**
 * The stack a benchmark runs against: its own embedded database and auth emulator in a temporary
 * directory, the four subgraphs and the gateway, seeded with the demo data. Everything it starts
 * is stopped and the directory removed on `stop()`, on Ctrl-C too.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MongoOptions } from '@wisp/shared';
import { seedDemo } from '../../scripts/seed.ts';
import { BENCH_RATE_LIMITS } from './rateLimits.ts';
import { startInfra, startServices, type Infra, type Services } from '../../scripts/stack.ts';

export interface BenchStack {
  infra: Infra;
  services: Services;
  mongo: { uri: string; dbPrefix: string };
  identitySecret: string;
  stop: () => Promise<void>;
}

/**
 * The services log every request at info level on stderr; in a benchmark that buries the results,
 * so only warnings and errors get through.
 */
export function quietInfoLogs() {
  const write = process.stderr.write.bind(process.stderr) as (chunk: unknown, ...rest: unknown[]) => boolean;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
    if (text.startsWith('{"t":') && text.includes('"level":"info"')) return true;
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
}

export async function startBenchStack({ onCommand }: { onCommand?: MongoOptions['onCommand'] } = {}): Promise<BenchStack> {
  if (!process.env.BENCH_VERBOSE) quietInfoLogs();
  const dataDir = mkdtempSync(join(tmpdir(), 'wisp-bench-'));
  const cleanups: (() => Promise<void>)[] = [async () => rmSync(dataDir, { recursive: true, force: true })];
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    })());
  // Every Apollo Server listens for termination signals; a benchmark with two installations has ten.
  process.setMaxListeners(Math.max(process.getMaxListeners(), 40));
  const onSignal = () => void stop().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const infra = await startInfra({ dataDir });
    cleanups.push(infra.stop);
    const mongo = { uri: infra.mongoUri, dbPrefix: `bench_${Date.now().toString(36)}` };
    const identitySecret = randomBytes(32).toString('base64url');
    const services = await startServices({ mongoUri: mongo.uri, dbPrefix: mongo.dbPrefix, identitySecret, projectId: infra.projectId, onCommand, rateLimits: BENCH_RATE_LIMITS });
    cleanups.push(services.stop);
    await seedDemo({ mongo });
    return { infra, services, mongo, identitySecret, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Runs a benchmark's body and always exits: 0 when it finished, 1 with the reason otherwise. */
export function runBench(main: () => Promise<void>) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}

