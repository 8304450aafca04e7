import { badInput, codedError, ErrorCode, forbidden, hasScope, Role, unauthenticated, type Identity } from '@wisp/shared';
import type { EventLog, StoredEvent } from '@wisp/events';
import { endpointWants, WEBHOOK_EVENT_TYPES, webhookBody } from '../webhooks/webhookPayload.ts';

type Ctx = { identity: Identity | null; services?: { changeFeed?: EventLog } };

/** The feed is read by the tenant's integrators (`events:read`) and its administrators. */
function readingTenant(identity: Identity | null): { tenantId: string; includeInternal: boolean } {
  if (!identity) throw unauthenticated();
  const admin = identity.role === Role.TENANT_ADMIN;
  if (!identity.tenantId || !(admin || (identity.role === Role.INTEGRATOR && hasScope(identity, 'events:read')))) {
    throw forbidden('Only the tenant\'s administrators (or its API keys with events:read) read its change feed.');
  }
  // Internal notes and staff-only fields only for whoever may see them anyway.
  return { tenantId: identity.tenantId, includeInternal: admin || hasScope(identity, 'notes:read') };
}

function cursorOf(after: unknown): number {
  if (after === null || after === undefined || after === '') return 0;
  if (typeof after !== 'string' || !/^\d{1,15}$/.test(after)) throw badInput('`after` must be a cursor this feed gave.', 'after');
  return Number(after);
}

const MAX_PAGE = 500;
/** What webhooks may carry, the feed carries: nothing else of the log (e.g. whom a new tenant invites). */
const FEED_TYPES: ReadonlySet<string> = new Set(WEBHOOK_EVENT_TYPES);

export const changeFeedQueries = {
  /**
   * The tenant's events after a cursor, oldest first: what its webhooks are sent, for an
   * integration that polls instead (or catches up after a receiver was down for longer than a day).
   */
  changes: async (_: unknown, args: { after?: string | null; first?: number | null; types?: string[] | null }, { identity, services }: Ctx) => {
    const { tenantId, includeInternal } = readingTenant(identity);
    const log = services?.changeFeed;
    if (!log) throw codedError(ErrorCode.INTERNAL, 'The change feed is not available.');
    const after = cursorOf(args.after);
    const first = args.first ?? 100;
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw badInput(`first must be 1 to ${MAX_PAGE}.`, 'first');
    const unknown = (args.types ?? []).filter((t) => !(WEBHOOK_EVENT_TYPES as string[]).includes(t));
    if (unknown.length) throw badInput(`Unknown event types: ${unknown.join(', ')}. See webhookEventTypes.`, 'types');
    // One more than asked says whether more follow; internal events a reader may not see are
    // skipped (and passed: the cursor moves over them).
    const { events, gap } = await log.readTenantAfter(tenantId, after, { limit: first + 1, types: args.types ?? undefined });
    if (gap) {
      throw codedError(ErrorCode.BAD_USER_INPUT, 'Events after this cursor are no longer kept (the feed keeps 7 days); start again without `after`.', { reason: 'CURSOR_EXPIRED', field: 'after' });
    }
    const page = events.slice(0, first);
    const last = page.at(-1);
    return {
      items: page.filter((e) => FEED_TYPES.has(e.type) && endpointWants({ includeInternal }, e)).map((e) => change(e, includeInternal)),
      cursor: String(last?.seq ?? after),
      hasMore: events.length > first,
    };
  },
};

function change(event: StoredEvent, includeInternal: boolean) {
  const body = JSON.parse(webhookBody(event, includeInternal)) as { type: string; timestamp: string; data: unknown };
  return { id: event.id, cursor: String(event.seq), type: body.type, at: body.timestamp, data: JSON.stringify(body.data) };
}
