import { startConsumer, type Consumer, type EventLog, type PayloadOf, type StateOf } from '@wisp/events';
import type { CustomerDirectory, Logger } from '@wisp/shared';
import type { Connection } from 'mongoose';
import type { AgentNotifier } from './agentNotifications.ts';
import type { WorkOrderLookup } from './services.ts';

/**
 * Tells a WISP's staff of what customers start elsewhere in the graph: a new ticket (every agent)
 * and a call-back request (the ticket's assignee, else every agent). Each alert is keyed by the
 * fact it reports, so a redelivered event alerts nobody twice.
 */
export function startStaffAlerts(deps: {
  conn: Connection;
  log: EventLog;
  logger: Logger;
  notifier: AgentNotifier;
  customers: CustomerDirectory;
  workOrders: WorkOrderLookup;
}): Promise<Consumer> {
  return startConsumer({
    name: 'messaging.staff-alerts',
    conn: deps.conn,
    log: deps.log,
    logger: deps.logger,
    types: ['ticket.created', 'callback.requested'],
    async handle(event) {
      // Who is told depends on other facts (the assignee, the customer's name): read them as they
      // stand at least as late as this event.
      await Promise.all([deps.workOrders.settled(), deps.customers.settled()]);
      if (event.type === 'ticket.created') {
        const p = event.payload as PayloadOf<'ticket.created'>;
        const title = (event.state as StateOf<'WorkOrder'> | undefined)?.title ?? p.number;
        const customer = p.reporterCustomerId ? await deps.customers.get(event.tenantId, p.reporterCustomerId) : null;
        await deps.notifier.notify({
          tenantId: event.tenantId,
          kind: 'TICKET_CREATED',
          // A new ticket has no assignee yet: every agent of the tenant hears of it.
          assigneeUid: null,
          workOrderId: event.entityId,
          title: `New ticket ${p.number}: ${title}`,
          body: `${customer?.name ?? 'A customer'} opened ${p.number} (${p.category.replace(/_/g, ' ').toLowerCase()}): ${title}`,
          dedupeKey: `ticket:${event.entityId}`,
          path: `/staff/tickets/${event.entityId}`,
        });
        return;
      }
      const p = event.payload as PayloadOf<'callback.requested'>;
      const [customer, [wo]] = await Promise.all([deps.customers.get(event.tenantId, p.customerId), p.workOrderId ? deps.workOrders.many([p.workOrderId]) : Promise.resolve([])]);
      await deps.notifier.notify({
        tenantId: event.tenantId,
        kind: 'CALLBACK_REQUESTED',
        assigneeUid: wo?.assigneeUid ?? null,
        workOrderId: wo ? String(wo._id) : null,
        title: `Call-back requested by ${customer?.name ?? 'a customer'}${wo ? ` about ${wo.number}` : ''}`,
        body: `Preferred time: ${p.preferredTime}${p.phone ? ` · phone ${p.phone}` : ''}${p.note ? ` · "${p.note}"` : ''}`,
        dedupeKey: `callback:${event.entityId}`,
        path: wo ? `/staff/tickets/${wo._id}` : '/staff/queue',
      });
    },
  });
}
