import type { LiveClient } from './liveClient.svelte';

/**
 * Re-runs a page's `refresh()` whenever one of `subscriptions` delivers a change (bursts are
 * coalesced into one reload). The page keeps loading its data through its own queries, so what
 * it shows is always what the signed-in user may see now; the live feed only says when.
 * Returns the function that stops every subscription.
 */
export function refreshOnChange(
  live: LiveClient,
  subscriptions: { query: string; variables?: Record<string, unknown> }[],
  refresh: () => unknown,
  delayMs = 150,
): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), delayMs);
  };
  const stops = subscriptions.map(({ query, variables = {} }) => live.subscribe(query, variables, { next: schedule, onReset: schedule }));
  return () => {
    clearTimeout(timer);
    for (const stop of stops) stop();
  };
}

/** Subscription documents the ticket pages listen to; each selects only the resume cursor and kind. */
export const LIVE = {
  workOrder: 'subscription($id: ID!, $after: String) { workOrderUpdated(id: $id, after: $after) { cursor kind } }',
  messages: 'subscription($id: ID!, $after: String) { messageAdded(workOrderId: $id, after: $after) { cursor kind } }',
  myTickets: 'subscription($after: String) { myWorkOrdersChanged(after: $after) { cursor kind } }',
  serviceNotices: 'subscription($after: String) { serviceNoticesChanged(after: $after) { cursor kind } }',
  queue: 'subscription($after: String) { queueChanged(after: $after) { cursor kind } }',
} as const;
