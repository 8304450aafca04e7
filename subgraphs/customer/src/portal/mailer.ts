import { startPolling, type Logger, type Outbox } from '@wisp/shared';
import nodemailer, { type Transporter } from 'nodemailer';

/**
 * The SMTP server outgoing mail is delivered through, e.g. `smtps://user:pass@smtp.example:465`.
 * Unset, empty or `off`: mail stays in the outbox (development reads it there).
 */
export function smtpUrlFromEnv(): string | null {
  const url = process.env.SMTP_URL?.trim();
  return url && url !== 'off' ? url : null;
}

/** The From address of outgoing mail. @default "no-reply@localhost" */
export function mailFromEnv(): string {
  return process.env.MAIL_FROM?.trim() || 'no-reply@localhost';
}

/**
 * Delivers pending outbox mail through a transport until stopped. Each email is claimed before
 * it is sent (see `Outbox.claim`), so several senders never deliver one twice; a failed send is
 * marked FAILED with the reason.
 */
export function startMailSender(outbox: Outbox, transport: Transporter, log: Logger, { from = mailFromEnv(), pollMs = 2_000 } = {}) {
  const polling = startPolling(
    async ({ stopping }) => {
      for (const email of await outbox.pending(20)) {
        if (stopping()) break;
        if (!(await outbox.claim(email.id))) continue;
        try {
          await transport.sendMail({
            from: email.from || from,
            to: email.to,
            subject: email.subject,
            text: email.text,
            html: email.html,
            ...(email.replyTo ? { replyTo: email.replyTo } : {}),
            ...(email.headers ? { headers: email.headers } : {}),
          });
          await outbox.markSent(email.id);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          await outbox.markFailed(email.id, message);
          log.warn('email delivery failed', { emailId: email.id, message });
        }
      }
    },
    { pollMs, log, what: 'mail sender' },
  );
  return { stop: polling.stop };
}

export function smtpTransport(url: string): Transporter {
  return nodemailer.createTransport(url);
}
