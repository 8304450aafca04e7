import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

/** A child process that is stopped with its whole process group. */
export interface Child {
  process: ChildProcess;
  stop: () => Promise<void>;
}

/**
 * Starts a long-running helper (database, emulator, portal) in its own process group with its
 * output in `logFile`, so stopping it also stops anything it spawned.
 */
export function spawnService(command: string, args: string[], options: SpawnOptions & { logFile: string; pidFile?: string }): Child {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (options.pidFile && child.pid) writeFileSync(options.pidFile, String(child.pid));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exited = false;
  child.once('exit', () => {
    exited = true;
    if (options.pidFile) rmSync(options.pidFile, { force: true });
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

/**
 * Stops what a previous run left behind (a crash or a killed terminal can orphan a detached
 * child): the process group named in `pidFile`, if it is still alive.
 */
export async function stopLeftover(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 1) return;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive()) process.kill(-pid, 'SIGKILL');
}
