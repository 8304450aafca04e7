import { codedError, ErrorCode, forbidden } from '@wisp/shared';
import type { Context } from '../context.ts';
import { actorName } from '../services.ts';
import { changeStatus } from './Mutation.ts';
import { optionalText, Problems, text } from './input.ts';
import { loadVisible, requireCustomer, requireIdentity, requireStaff, saveChange, ticketEvent, type WorkOrderRow } from './workOrderOps.ts';

const CATEGORIES = ['NO_SERVICE', 'SLOW_SPEED', 'INTERMITTENT', 'EQUIPMENT', 'BILLING', 'INSTALLATION', 'RELOCATION', 'OTHER'];
const PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'];
/** Outages are declared as such and reach many customers; a ticket never turns into one, nor back. */
const TICKET_TYPES = ['SUPPORT', 'INSTALLATION', 'MAINTENANCE'];
/** While a ticket is still being worked, its reporter may correct what they wrote. */
const EDITABLE_BY_REPORTER = ['OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER', 'SCHEDULED'];
/**
 * How long after resolution the reporter may reopen a ticket instead of opening a new one.
 * TICKET_REOPEN_DAYS overrides it for the installation. @default 14
 */
export const reopenWindowMs = () => {
  const days = Number(process.env.TICKET_REOPEN_DAYS);
  return (Number.isFinite(days) && days >= 0 ? days : 14) * 24 * 3600_000;
};

interface TicketDetailsInput {
  title?: string | null;
  category?: string | null;
  priority?: string | null;
  type?: string | null;
}

type Field = 'title' | 'category' | 'priority' | 'type' | 'description';

/** Saves changed fields with one timeline entry per field, in one conditional write. */
async function saveDetails(ctx: Context, wo: WorkOrderRow, changes: Partial<Record<Field, string>>) {
  const identity = requireIdentity(ctx.identity);
  const fields = (Object.keys(changes) as Field[]).filter((f) => changes[f] !== (wo as unknown as Record<Field, string>)[f]);
  if (fields.length === 0) return wo;
  const at = new Date();
  const byName = await actorName(ctx.services, identity);
  // A description is long and the reporter's own words: its entry says that it changed, not to what.
  const entries = fields.map((field) => ({
    from: wo.status,
    to: wo.status,
    at,
    byUid: identity.uid,
    byName,
    change: field === 'description' ? { field } : { field, from: String((wo as unknown as Record<Field, string>)[field] ?? ''), to: changes[field] },
  }));
  const set = Object.fromEntries(fields.map((f) => [f, changes[f]]));
  const after = { ...wo, ...set } as WorkOrderRow;
  const seen = (wo.timeline ?? []).length;
  // Conditional on the timeline we read: of two concurrent edits one wins, the other is told to reload.
  const res = await saveChange(
    ctx,
    { _id: wo._id, [`timeline.${seen}`]: { $exists: false } },
    { $set: set, $push: { timeline: { $each: entries } } },
    [ticketEvent(after, 'ticket.updated', 'updated', { fields })],
  );
  if (res.modifiedCount !== 1) throw codedError(ErrorCode.CONFLICT, 'The ticket changed meanwhile; reload and try again.');
  return (await ctx.models.WorkOrder.findById(wo._id).lean<WorkOrderRow>())!;
}

export const triageMutations = {
  updateTicketDetails: async (_: unknown, { id, input }: { id: string; input: TicketDetailsInput }, ctx: Context) => {
    requireStaff(ctx.identity);
    const wo = await loadVisible(ctx, id);
    const p = new Problems();
    const changes: Partial<Record<Field, string>> = {};
    if (input.title !== undefined && input.title !== null) changes.title = text(p, 'title', input.title, { min: 3, max: 200 });
    if (input.category) {
      if (!CATEGORIES.includes(input.category)) p.add('category', 'Unknown category.');
      else changes.category = input.category;
    }
    if (input.priority) {
      if (!PRIORITIES.includes(input.priority)) p.add('priority', 'Unknown priority.');
      else changes.priority = input.priority;
    }
    if (input.type) {
      if (wo.type === 'OUTAGE' || !TICKET_TYPES.includes(input.type)) p.add('type', 'A ticket can be support, installation or maintenance; outages are declared as outages.');
      else changes.type = input.type;
    }
    p.throwIfAny();
    if (['CLOSED', 'CANCELLED'].includes(wo.status)) throw codedError(ErrorCode.BAD_USER_INPUT, `A ${wo.status.toLowerCase()} ticket can no longer be changed.`, { field: 'id' });
    return saveDetails(ctx, wo, changes);
  },

  editTicketDescription: async (_: unknown, { id, description }: { id: string; description: string }, ctx: Context) => {
    const identity = requireCustomer(ctx.identity);
    const wo = await loadVisible(ctx, id);
    if (String(wo.reporterCustomerId) !== identity.customerId) throw forbidden('Only the customer who opened a ticket may change its description.');
    const p = new Problems();
    const body = text(p, 'description', description, { min: 1, max: 10_000 });
    p.throwIfAny();
    if (!EDITABLE_BY_REPORTER.includes(wo.status)) throw codedError(ErrorCode.BAD_USER_INPUT, 'This ticket is no longer open; send a message or reopen it instead.', { field: 'id' });
    return saveDetails(ctx, wo, { description: body });
  },

  reopenTicket: async (_: unknown, { id, reason }: { id: string; reason?: string | null }, ctx: Context) => {
    const identity = requireCustomer(ctx.identity);
    const wo = await loadVisible(ctx, id);
    if (String(wo.reporterCustomerId) !== identity.customerId) throw forbidden('Only the customer who opened a ticket may reopen it.');
    const p = new Problems();
    const note = optionalText(p, 'reason', reason, 1_000);
    p.throwIfAny();
    if (wo.status !== 'RESOLVED') {
      throw codedError(ErrorCode.BAD_USER_INPUT, wo.status === 'CLOSED' ? 'This ticket is closed; please open a new one.' : 'Only a resolved ticket can be reopened.', { field: 'id' });
    }
    const resolvedAt = wo.resolvedAt ? new Date(wo.resolvedAt).getTime() : 0;
    if (Date.now() - resolvedAt > reopenWindowMs()) {
      throw codedError(ErrorCode.BAD_USER_INPUT, 'This ticket was resolved too long ago to reopen; please open a new one.', { field: 'id', reason: 'REOPEN_WINDOW_PASSED' });
    }
    return changeStatus(ctx, wo, 'IN_PROGRESS', note ?? 'Reopened by the customer', identity);
  },
};
