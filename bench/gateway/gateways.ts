import { fork } from 'node:child_process';
import type { GatewayKind, GatewaySetup } from './gatewayProcess.ts';

/** A gateway running in a child process, started from the benchmark's parent. */
export interface ChildGateway {
  kind: GatewayKind;
  url: string;
  /** Its process id (its CPU time is read from /proc). */
  pid: number;
  /** The last few KiB it logged. */
  log: () => string;
  stop: () => Promise<void>;
}

export async function startChildGateway(setup: GatewaySetup): Promise<ChildGateway> {
  const child = fork(new URL('./gatewayProcess.ts', import.meta.url).pathname, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  // Its log is kept (the tail) to explain a failure, not shown: it would drown the results.
  let log = '';
  child.stderr!.on('data', (c: Buffer) => {
    log = (log + c.toString('utf8')).slice(-4000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ${setup.kind} gateway exited (${code}) before it was ready:\n${log}`)));
    child.once('message', (m: { type: 'ready'; url: string } | { type: 'failed'; error: string }) => (m.type === 'ready' ? resolve(m.url) : reject(new Error(`the ${setup.kind} gateway failed: ${m.error}`))));
    child.send({ type: 'start', setup });
  });
  return {
    kind: setup.kind,
    url,
    pid: child.pid!,
    log: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.send({ type: 'stop' });
      }),
  };
}
