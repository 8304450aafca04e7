/** Reads a port number from the environment. */
export function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got "${raw}".`);
  return port;
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set.`);
  return value;
}

/** Runs a service's entry point: a failure prints one clear line and exits 1, never a bare stack. */
export function runMain(name: string, main: () => Promise<{ stop: () => Promise<void> }>): void {
  main().then(
    (running) => {
      const shutdown = () => {
        running.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    },
    (err: unknown) => {
      process.stderr.write(`${name} failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}

/** The settings every subgraph reads, with the names docker-compose.yml and the README use. */
export function subgraphOptionsFromEnv(portVar: string, defaultPort: number) {
  return {
    port: portFromEnv(portVar, defaultPort),
    host: process.env.HOST ?? '127.0.0.1',
    mongo: { uri: requireEnv('MONGODB_URI'), dbPrefix: process.env.MONGODB_DB_PREFIX ?? 'wisp' },
    identitySecret: requireEnv('IDENTITY_SECRET'),
  };
}
