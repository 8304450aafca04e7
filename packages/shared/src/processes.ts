import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/** A child process that is stopped with its whole process group. */
export interface Child {
  process: ChildProcess;
  stop: () => Promise<void>;
}

/**
 * Starts a long-running helper (database, emulator, portal) in its own process group with its
 * output in `logFile`, so stopping it also stops anything it spawned.
 */
export function spawnService(command: string, args: string[], options: SpawnOptions & { logFile: string }): Child {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  return {
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited || child.pid === undefined) return resolve();
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }, 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          log.end();
          resolve();
        });
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          clearTimeout(timer);
          resolve();
        }
      }),
  };
}
