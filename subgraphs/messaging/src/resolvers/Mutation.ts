import type { AgentNotificationKind } from '../agentNotifications.ts';
import { badInput, codedError, ErrorCode, forbidden, isObjectId, isStaff, notFound, Role, unauthenticated } from '@wisp/shared';
import { newEvent, withEvents } from '@wisp/events';
import type { Context } from '../context.ts';
import { summaryView } from '../conversationSummary.ts';
import { postMessage, type PostMessageInput, type PostMessageRefusal } from '../postMessage.ts';
import { canSeeWorkOrder, customerIdsOf } from './access.ts';

/** The mutation's words for each refusal; the rules are postMessage's. */
function refusalError(refusal: PostMessageRefusal) {
  switch (refusal.reason) {
    case 'invalid':
      return codedError(ErrorCode.BAD_USER_INPUT, refusal.message, { field: refusal.field, problems: refusal.problems });
    case 'not-found':
      return notFound('Work order');
    case 'customer-internal':
      return forbidden('Customers cannot write internal notes.');
    case 'missing-scope':
      return codedError(ErrorCode.FORBIDDEN, 'This API key lacks the scope notes:read, which internal notes need.', { scope: refusal.scope });
    case 'not-reporter':
      return forbidden('Only the customer who opened a ticket may write in it.');
    case 'not-a-writer':
      return forbidden('Only staff and customers write in conversations.');
    case 'not-attachable':
      return badInput('Attach only files you uploaded to this ticket and have not attached yet.', 'attachmentIds');
  }
}

export const Mutation = {
  sendMessage: async (_: unknown, { input }: { input: PostMessageInput }, ctx: Context) => {
    const identity = ctx.identity;
    if (!identity) throw unauthenticated();
    const result = await postMessage({ models: ctx.models, services: ctx.services, workOrder: (id) => ctx.loaders.workOrder.load(id) }, identity, input);
    if (!result.ok) throw refusalError(result);
    return result.message;
  },

  markConversationRead: async (_: unknown, { workOrderId }: { workOrderId: string }, ctx: Context) => {
    const identity = ctx.identity;
    if (!identity) throw unauthenticated();
    const wo = await ctx.loaders.workOrder.load(isObjectId(workOrderId) ? workOrderId : '');
    if (!canSeeWorkOrder(identity, wo)) throw notFound('Work order');
    const readerKind = identity.role === Role.CUSTOMER ? 'CUSTOMER' : 'STAFF';
    const receipt = { workOrderId: wo._id, readerUid: identity.uid };
    // What was there to read, then when: a message counted in the summary was written before `readAt`.
    const { others } = summaryView(await ctx.loaders.summary.load(String(wo._id)), identity);
    // The receipt's entity id is the conversation's (its work order): live clients reload that conversation.
    const read = newEvent('conversation.read', {
      tenantId: String(wo.tenantId),
      entityId: String(wo._id),
      kind: 'read_receipt',
      workOrderId: String(wo._id),
      customerIds: customerIdsOf(wo),
      internal: false,
      outage: wo.type === 'OUTAGE',
      payload: { workOrderId: String(wo._id), readerKind },
    });
    await ctx.models.ReadReceipt.updateOne(
      receipt,
      withEvents(
        {
          $set: { tenantId: wo.tenantId, readerKind },
          // Concurrent marks of one reader never move the receipt backwards.
          $max: { readAt: new Date(), seenOthers: others },
        },
        [read],
      ),
      { upsert: true },
    );
    ctx.loaders.receipts.clear(String(wo._id));
    await ctx.services.relay.flush(ctx.models.ReadReceipt, receipt);
    return { id: String(wo._id) };
  },

  markAgentNotificationRead: async (_: unknown, { id }: { id: string }, ctx: Context) => {
    const identity = ctx.identity;
    if (!identity) throw unauthenticated();
    if (!isStaff(identity) || !identity.tenantId) throw forbidden('Only staff receive agent notifications.');
    const n = await ctx.services.notifier.markRead(identity.tenantId, identity.uid, id);
    if (!n) throw notFound('Notification');
    return n;
  },

  updateAgentNotificationPreferences: async (_: unknown, { emailKinds }: { emailKinds: AgentNotificationKind[] }, ctx: Context) => {
    const identity = ctx.identity;
    if (!identity) throw unauthenticated();
    // Integrators are not people who read mail; the preference is the signed-in member's own.
    if (!isStaff(identity) || !identity.tenantId || identity.role === Role.INTEGRATOR) throw forbidden('Only staff receive agent notifications.');
    return { emailKinds: await ctx.services.notifier.setEmailedKinds(identity.tenantId, identity.uid, emailKinds) };
  },
};
