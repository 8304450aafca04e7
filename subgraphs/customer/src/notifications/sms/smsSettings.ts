import { publicApiBase } from '../index.ts';
import type { SmsProvider } from './smsProvider.ts';
import { twilioProvider } from './twilioProvider.ts';

/** A variable's value, or null when it is unset, empty or `off` (docker-compose.yml writes every variable). */
export function envSetting(value: string | undefined): string | null {
  const v = value?.trim();
  return v && v.toLowerCase() !== 'off' ? v : null;
}

/** The auth token Twilio signs its webhooks with; null when none is configured (the inbound routes then answer 404). */
export function twilioAuthToken(): string | null {
  return envSetting(process.env.TWILIO_AUTH_TOKEN);
}

/**
 * The public address the SMS webhooks are reached at, as configured in Twilio (without
 * `/inbound/sms`): SMS_WEBHOOK_BASE_URL. Null: rebuilt from each request's forwarded host and protocol.
 */
export function smsWebhookBase(): string | null {
  return envSetting(process.env.SMS_WEBHOOK_BASE_URL)?.replace(/\/+$/, '') ?? null;
}

/** Where the provider reports delivery: beside the inbound webhook, else beside the public gateway. */
export function smsStatusCallbackUrl(): string {
  return `${smsWebhookBase() ?? publicApiBase()}/inbound/sms/status`;
}

/**
 * The provider the environment configures: SMS_PROVIDER=twilio with TWILIO_ACCOUNT_SID and
 * TWILIO_AUTH_TOKEN (TWILIO_API_URL replaces https://api.twilio.com, for tests). Unset or `off`:
 * none, and texts stay in the outbox (development: staff and tests read them there). A provider
 * named without its credentials is a mistake worth failing the start for.
 */
export function smsProviderFromEnv(): SmsProvider | null {
  const name = envSetting(process.env.SMS_PROVIDER)?.toLowerCase();
  if (!name) return null;
  if (name !== 'twilio') throw new Error(`SMS_PROVIDER "${name}" is not supported: use "twilio", or leave it unset to keep texts in the outbox.`);
  const accountSid = envSetting(process.env.TWILIO_ACCOUNT_SID);
  const authToken = twilioAuthToken();
  if (!accountSid || !authToken) throw new Error('SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.');
  return twilioProvider({ accountSid, authToken, apiUrl: envSetting(process.env.TWILIO_API_URL) ?? undefined });
}
