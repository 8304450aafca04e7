import { json } from '@sveltejs/kit';
import { DELIVERY_FIELDS } from '$lib/notifications/notificationFields';
import { sessionGraphql } from '$lib/server/session';
import { TICKET_NOTIFICATIONS_QUERY } from '$lib/server/staffQueries';
import type { RequestHandler } from './$types';

/**
 * `GET /staff/tickets/<id>/notifications`: what the ticket's customers were sent, for the staff
 * ticket page to follow a message from planned to sent without reloading the whole ticket. The
 * gateway decides, with the session, who may read it.
 */
export const GET: RequestHandler = async ({ locals, params }) => {
  if (!locals.session) return json({ error: 'Sign in again to see the notifications.' }, { status: 401 });
  const r = await sessionGraphql<{ workOrder: { customerNotifications: unknown[] } | null }>(locals.session, TICKET_NOTIFICATIONS_QUERY(DELIVERY_FIELDS), { id: params.id });
  if (!r.ok) return json({ error: r.reason === 'graphql' ? r.detail : 'The notifications could not be loaded.' }, { status: r.reason === 'unauthenticated' ? 401 : 502 });
  return json({ deliveries: r.data.workOrder?.customerNotifications ?? [] }, { headers: { 'cache-control': 'no-store' } });
};
