/** One text as a provider is asked to send it. */
export interface SmsToSend {
  /** E.164. */
  to: string;
  /** A number, an alphanumeric sender id, or a provider's messaging-service id. */
  from: string;
  body: string;
  /** Where the provider reports whether the text arrived (delivered, undelivered, failed). */
  statusCallbackUrl?: string | null;
}

/** A service that sends text messages (Twilio's Programmable Messaging). */
export interface SmsProvider {
  /** Hands one text over; throws {@link SmsSendError} when the provider refuses it or cannot be reached. */
  send: (sms: SmsToSend) => Promise<{ providerMessageId: string }>;
}

/**
 * Why a provider did not take a text. `retryable`: a passing failure (rate limit, the provider's
 * own trouble, the network) worth another attempt later; otherwise the text will never go as it
 * is (a bad number, a recipient who opted out with the carrier, refused credentials).
 */
export class SmsSendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** The provider's error code, e.g. Twilio's 21610 (the recipient replied STOP to the carrier). */
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'SmsSendError';
  }
}
