/** Small statistics and reporting helpers shared by the benchmarks. */
import { cpus, loadavg } from 'node:os';

/** The p-th percentile (nearest rank) of an ascending array. */
export const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]! : NaN);

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : s.length ? (s[mid - 1]! + s[mid]!) / 2 : NaN;
}

/** "median (min–max)" of a series measured once per round. */
export function spread(values: number[], digits = 2): string {
  if (!values.length) return 'n/a';
  const s = [...values].sort((a, b) => a - b);
  return `${median(s).toFixed(digits)} (${s[0]!.toFixed(digits)}–${s.at(-1)!.toFixed(digits)})`;
}

export const loadAverage = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** The line every benchmark prints first and last, so a noisy machine shows in the output. */
export const machineLine = (when: 'start' | 'end') => `[${when}] ${new Date().toISOString()} · ${cpus().length} cores · load average ${loadAverage()}`;

/** `--quick` (or BENCH_QUICK=1): a short smoke run that checks the benchmark works, not a measurement. */
export const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';

/** The value after `--name` on the command line, else `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

/** Rounds of a benchmark are run in rotating order so slow drift of the machine hits every contender alike. */
export function rotated<T>(items: T[], round: number): T[] {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
