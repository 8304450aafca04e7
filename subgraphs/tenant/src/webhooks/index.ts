// What tools outside the subgraph (the demo seed, tests, the bench) use of its webhooks.
export { newWebhookSecret, signWebhook, WEBHOOK_SECRET_PREFIX } from './signing.ts';
export { WEBHOOK_EVENT_TYPES, TEST_EVENT_TYPE } from './webhookPayload.ts';
export { checkWebhookUrl, refusedAddress, type UrlCheck, type UrlRefusal } from './webhookUrl.ts';
export { webhookSettingsFromEnv, DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from './webhookSettings.ts';
