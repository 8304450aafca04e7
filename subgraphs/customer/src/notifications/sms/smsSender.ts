import { startPolling, type Logger, type SmsOutbox, type StoredSms } from '@wisp/shared';
import { SmsSendError, type SmsProvider } from './smsProvider.ts';

/** Options of {@link startSmsSender}. */
export interface SmsSenderOptions {
  /** How often pending texts are looked for. @default 1000 */
  pollMs?: number;
  /** How long a sender holds a text it is sending before another may take it over. @default 2 minutes */
  leaseMs?: number;
  /** The delay before the first retry of a passing failure; it doubles each time (less up to half at random). @default 5000 */
  retryBaseMs?: number;
  /** The longest delay between retries. @default 300000 */
  retryMaxMs?: number;
  /** Attempts before a text that keeps failing in passing is FAILED: texts are about now, not tomorrow. @default 6 */
  maxAttempts?: number;
  /** Texts handed over at once. @default 4 */
  concurrency?: number;
  /** Where the provider reports whether each text arrived. @default none */
  statusCallbackUrl?: string | null;
}

/**
 * Hands pending texts from the outbox to the provider until stopped. Each text is claimed with a
 * lease first (see `SmsOutbox.claim`), so several senders never send one twice and one that dies
 * leaves it to the next; a passing failure is retried later with backoff, a permanent one (or
 * the last attempt) marks the text FAILED with the provider's reason.
 */
export function startSmsSender(outbox: SmsOutbox, provider: SmsProvider, log: Logger, opts: SmsSenderOptions = {}) {
  const { pollMs = 1_000, leaseMs = 2 * 60_000, retryBaseMs = 5_000, retryMaxMs = 5 * 60_000, maxAttempts = 6, concurrency = 4, statusCallbackUrl = null } = opts;
  async function sendOne(sms: StoredSms): Promise<void> {
    if (!(await outbox.claim(sms.id, leaseMs))) return;
    let providerMessageId: string;
    try {
      ({ providerMessageId } = await provider.send({ to: sms.to, from: sms.from, body: sms.body, statusCallbackUrl }));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // Anything but the provider's own verdict (a bug, a dropped connection) may pass.
      const retryable = !(err instanceof SmsSendError) || err.retryable;
      const attempts = (sms.attempts ?? 0) + 1;
      if (retryable && attempts < maxAttempts) {
        const delayMs = Math.round(Math.min(retryMaxMs, retryBaseMs * 2 ** (attempts - 1)) * (0.5 + Math.random() / 2));
        await outbox.retryLater(sms.id, message, delayMs);
        log.warn('text message not sent, will retry', { smsId: sms.id, attempts, delayMs, message });
      } else {
        await outbox.markFailed(sms.id, message);
        log.warn('text message failed', { smsId: sms.id, attempts, message });
      }
      return;
    }
    // Outside the catch: failing to record it is not the provider refusing it, so the text is not
    // marked failed; its lease runs out and it goes again (at least once, never lost).
    await outbox.markSent(sms.id, providerMessageId);
  }

  const batchSize = 50;
  const polling = startPolling(
    async ({ stopping }) => {
      const batch = await outbox.pending(batchSize);
      let next = 0;
      const worker = async () => {
        while (!stopping() && next < batch.length) {
          const sms = batch[next++]!;
          await sendOne(sms).catch((err: unknown) => log.error('text message not recorded', { smsId: sms.id, error: err instanceof Error ? err.message : String(err) }));
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, worker));
      // A full batch may have more behind it (an outage's texts): go on at once.
      return batch.length === batchSize;
    },
    { pollMs, log, what: 'text sender' },
  );
  return { nudge: polling.nudge, stop: polling.stop };
}
