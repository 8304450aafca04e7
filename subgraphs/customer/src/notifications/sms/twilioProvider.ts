import { SmsSendError, type SmsProvider } from './smsProvider.ts';

/** Options of {@link twilioProvider}. */
export interface TwilioOptions {
  /** The account (`AC…`) texts are sent from; also the Basic-auth user. */
  accountSid: string;
  /** The account's auth token (Basic-auth password). */
  authToken: string;
  /** The REST API's base address. @default "https://api.twilio.com" */
  apiUrl?: string;
  /** How long one request may take. @default 10000 */
  timeoutMs?: number;
}

/** A Twilio messaging-service id: Twilio picks the sending number from the service's pool. */
const MESSAGING_SERVICE = /^MG[0-9a-f]{32}$/i;

type TwilioAnswer = { sid?: string; code?: number; message?: string };

/**
 * Twilio's Programmable Messaging REST API: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`,
 * form-encoded, HTTP Basic auth. A 201 carries the message's `sid`; errors carry Twilio's `code`
 * and `message`. Too many requests (429) and Twilio's own failures (5xx) are worth retrying, as
 * are requests that never got an answer; any other refusal is about this text or the account.
 */
export function twilioProvider(o: TwilioOptions): SmsProvider {
  const url = `${(o.apiUrl ?? 'https://api.twilio.com').replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(o.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${o.accountSid}:${o.authToken}`).toString('base64')}`;
  return {
    async send({ to, from, body, statusCallbackUrl }) {
      const form = new URLSearchParams({ To: to, [MESSAGING_SERVICE.test(from) ? 'MessagingServiceSid' : 'From']: from, Body: body });
      if (statusCallbackUrl) form.set('StatusCallback', statusCallbackUrl);
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { authorization, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
          signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
        });
      } catch (err) {
        throw new SmsSendError(`Twilio could not be reached: ${err instanceof Error ? err.message : String(err)}`, true);
      }
      const answer = (await res.json().catch(() => null)) as TwilioAnswer | null;
      if (res.ok && answer?.sid) return { providerMessageId: answer.sid };
      const code = answer?.code != null ? String(answer.code) : null;
      const detail = answer?.message ? `${answer.message}${code ? ` (Twilio error ${code})` : ''}` : `HTTP ${res.status}`;
      // An answer that took the text without naming it is not retried: the text may be on its way.
      throw new SmsSendError(`Twilio refused the text: ${detail}`, !res.ok && (res.status === 429 || res.status >= 500), code);
    },
  };
}
