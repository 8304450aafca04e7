/** How webhooks are delivered: timings and thresholds, from the environment (tests make them short). */
export interface WebhookSettings {
  /**
   * Allows receivers on loopback addresses (127.0.0.0/8, ::1, names resolving to them) and plain
   * `http:`; everywhere else a receiver must be a public https address. Set by `npm start` and the
   * test stack only (`WEBHOOKS_ALLOW_LOOPBACK=1`). @default false
   */
  allowLoopback: boolean;
  /** How long one attempt may take, connect to last byte (`WEBHOOKS_TIMEOUT_MS`). @default 10 000 ms */
  timeoutMs: number;
  /** The first retry's delay; each further one doubles, with jitter (`WEBHOOKS_RETRY_BASE_MS`). @default 30 000 ms */
  retryBaseMs: number;
  /** The longest delay between two attempts (`WEBHOOKS_RETRY_MAX_MS`). @default 3 600 000 ms (1 h) */
  retryMaxMs: number;
  /** A delivery not delivered this long after its event is given up, FAILED (`WEBHOOKS_GIVE_UP_AFTER_MS`). @default 86 400 000 ms (24 h) */
  giveUpAfterMs: number;
  /**
   * An endpoint is disabled when every attempt to it has failed for this long (since the first
   * failure after its last success, `WEBHOOKS_DISABLE_AFTER_MS`) ... @default 86 400 000 ms (24 h)
   */
  disableAfterMs: number;
  /** ... and at least this many attempts in a row failed in that stretch (`WEBHOOKS_DISABLE_AFTER_FAILURES`). @default 20 */
  disableAfterFailures: number;
  /** Pause of the sender between two looks for due deliveries when nothing woke it (`WEBHOOKS_POLL_MS`). @default 500 ms */
  pollMs: number;
  /** Deliveries one process sends at once (`WEBHOOKS_CONCURRENCY`). @default 16 */
  concurrency: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  allowLoopback: false,
  timeoutMs: 10_000,
  retryBaseMs: 30_000,
  retryMaxMs: 3600_000,
  giveUpAfterMs: 24 * 3600_000,
  disableAfterMs: 24 * 3600_000,
  disableAfterFailures: 20,
  pollMs: 500,
  concurrency: 16,
};

function numberFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number of at least ${min}, got "${raw}".`);
  return n;
}

/** The settings as the environment gives them, defaults for the rest. */
export function webhookSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): WebhookSettings {
  const d = DEFAULT_WEBHOOK_SETTINGS;
  return {
    allowLoopback: env.WEBHOOKS_ALLOW_LOOPBACK === '1' || env.WEBHOOKS_ALLOW_LOOPBACK === 'true',
    timeoutMs: numberFromEnv(env, 'WEBHOOKS_TIMEOUT_MS', d.timeoutMs, 1),
    retryBaseMs: numberFromEnv(env, 'WEBHOOKS_RETRY_BASE_MS', d.retryBaseMs, 1),
    retryMaxMs: numberFromEnv(env, 'WEBHOOKS_RETRY_MAX_MS', d.retryMaxMs, 1),
    giveUpAfterMs: numberFromEnv(env, 'WEBHOOKS_GIVE_UP_AFTER_MS', d.giveUpAfterMs, 1),
    disableAfterMs: numberFromEnv(env, 'WEBHOOKS_DISABLE_AFTER_MS', d.disableAfterMs),
    disableAfterFailures: numberFromEnv(env, 'WEBHOOKS_DISABLE_AFTER_FAILURES', d.disableAfterFailures, 1),
    pollMs: numberFromEnv(env, 'WEBHOOKS_POLL_MS', d.pollMs, 10),
    concurrency: numberFromEnv(env, 'WEBHOOKS_CONCURRENCY', d.concurrency, 1),
  };
}
