import { EVENT_CATALOGUE, type EventType, type StoredEvent } from '@wisp/events';

/**
 * The events an endpoint can subscribe to: every fact of the catalogue a tenant's own integration
 * may be told, besides `tenant.created` (it names whom to invite, and comes before any endpoint).
 */
export const WEBHOOK_EVENT_TYPES: EventType[] = (Object.keys(EVENT_CATALOGUE) as EventType[]).filter((t) => t !== 'tenant.created').sort();

/** The type of the deliveries `sendTestWebhook` makes (no event of the log). */
export const TEST_EVENT_TYPE = 'webhook.test';

/** Fields staff alone see (who works a ticket, which other customers an outage reaches): for includeInternal endpoints only. */
const STAFF_ONLY_FIELDS = ['assigneeUid', 'affectedCustomerIds'];

const without = (o: Record<string, unknown> | null | undefined, fields: string[]) => (o ? Object.fromEntries(Object.entries(o).filter(([k]) => !fields.includes(k))) : o);

/** Whether an endpoint gets `event` at all: internal ones (internal notes) only with includeInternal. */
export function endpointWants(endpoint: { includeInternal?: boolean | null }, event: Pick<StoredEvent, 'internal'>): boolean {
  return !event.internal || !!endpoint.includeInternal;
}

/**
 * The body of a delivery (Standard Webhooks: `{ type, timestamp, data }`): what the event is about
 * (its entity and id, its ticket), the catalogue payload and the entity's published state, without
 * staff-only fields unless the endpoint includes internal data.
 */
export function webhookBody(event: StoredEvent, includeInternal: boolean): string {
  const hide = includeInternal ? [] : STAFF_ONLY_FIELDS;
  const data: Record<string, unknown> = {
    id: event.entityId,
    entity: event.entity,
    ...(event.workOrderId ? { workOrderId: event.workOrderId } : {}),
    ...without(event.payload, hide),
    ...(event.state ? { state: without(event.state, hide) } : {}),
  };
  return JSON.stringify({ type: event.type, timestamp: new Date(event.at).toISOString(), data });
}

/** A Standard Webhooks `webhook-id`: one per (event, endpoint), the same on every retry and replay. */
export const webhookMessageId = (eventId: string, endpointId: string) => `msg_${eventId}_${endpointId}`;
