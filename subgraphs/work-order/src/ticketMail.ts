import { renderBrandedEmail, type CustomerDirectory, type Logger, type Outbox, type TenantDirectory } from '@wisp/shared';

/** What a ticket email needs of a work order. */
export interface MailedTicket {
  _id: unknown;
  tenantId: unknown;
  number: string;
  title: string;
  reporterCustomerId?: unknown;
  timeline?: unknown[];
}

/**
 * Emails the customer who reported a ticket that staff changed its status. It goes only to the
 * address the customer directory allows (`ticketMailTo`): never to an unconfirmed self-chosen
 * sign-up email. Never fails the change itself; one email per status change.
 */
export async function mailTicketStatus(
  deps: { customers: CustomerDirectory; tenants: TenantDirectory; outbox: Outbox; log: Logger },
  wo: MailedTicket,
  status: string,
): Promise<void> {
  if (!wo.reporterCustomerId) return;
  try {
    const tenantId = String(wo.tenantId);
    // Where mail may go can have changed a moment ago (an email just confirmed): ask once caught up.
    await deps.customers.settled();
    const [customer, tenant] = await Promise.all([deps.customers.get(tenantId, String(wo.reporterCustomerId)), deps.tenants.get(tenantId)]);
    if (!customer?.ticketMailTo || !tenant) return;
    const words = status.toLowerCase().replace(/_/g, ' ');
    const rendered = renderBrandedEmail(tenant, {
      subject: `Ticket ${wo.number} is now ${words}`,
      heading: `Your ticket is ${words}`,
      paragraphs: [`Your ticket ${wo.number} ("${wo.title}") is now ${words}.`, 'Sign in to the portal to see the details and reply.'],
    });
    await deps.outbox.queue({
      tenantId,
      to: customer.ticketMailTo,
      ...rendered,
      kind: 'ticket-update',
      dedupeKey: `ticket-status:${String(wo._id)}:${wo.timeline?.length ?? 0}`,
    });
  } catch (err) {
    deps.log.error('ticket email not queued', { workOrderId: String(wo._id), error: err instanceof Error ? err.message : String(err) });
  }
}
