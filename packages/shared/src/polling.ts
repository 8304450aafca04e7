import type { Logger } from './log.ts';

/** A background loop started by {@link startPolling}. */
export interface Polling {
  /** Runs the next round now instead of at the next poll (after work was queued). */
  nudge: () => void;
  /** True once `stop` was called: a round checks it between items. */
  stopping: () => boolean;
  /** Ends the loop after the round under way. */
  stop: () => Promise<void>;
}

/**
 * Runs `round` until stopped: again at once when it says more is waiting (returns true), else
 * after `pollMs` or a nudge. A failed round is logged and the loop goes on, so one bad poll never
 * ends a service's background work.
 */
export function startPolling(round: (polling: Polling) => Promise<boolean | void>, { pollMs, log, what }: { pollMs: number; log: Logger; what: string }): Polling {
  let stopped = false;
  let wake: (() => void) | null = null;
  let timer: NodeJS.Timeout | null = null;
  const polling: Polling = {
    nudge: () => wake?.(),
    stopping: () => stopped,
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
  const loop = (async () => {
    while (!stopped) {
      let more: boolean | void = false;
      try {
        more = await round(polling);
      } catch (err) {
        log.error(`${what} poll failed`, { error: err instanceof Error ? err.message : String(err) });
      }
      if (stopped) break;
      if (more) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, pollMs);
      });
      wake = null;
    }
  })();
  return polling;
}
