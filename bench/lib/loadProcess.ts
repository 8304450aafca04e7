import { fork, type ChildProcess } from 'node:child_process';
import type { LoadResult, LoadSpec } from './loadClient.ts';

/** A load-generating child process; `run` sends it one measurement at a time. */
export function startLoadProcess() {
  const child: ChildProcess = fork(new URL('./loadClient.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let next = 0;
  const waiting = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();
  child.on('message', (m: { id: number; result: LoadResult }) => {
    waiting.get(m.id)?.resolve(m.result);
    waiting.delete(m.id);
  });
  child.on('exit', () => {
    for (const w of waiting.values()) w.reject(new Error('the load process exited'));
    waiting.clear();
  });
  return {
    run(spec: LoadSpec): Promise<LoadResult> {
      const id = next++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        child.send({ id, spec });
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send('stop');
      }),
  };
}

/** Requests per second and p95 of one measurement. */
export const rpsOf = (r: LoadResult) => (r.latencies.length * 1000) / r.elapsedMs;
export const p95Of = (r: LoadResult) => r.latencies[Math.min(r.latencies.length - 1, Math.ceil(0.95 * r.latencies.length) - 1)] ?? NaN;
