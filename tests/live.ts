/**
 * Helpers for live-update tests: a graphql-ws client as an integrator would run it, and writers
 * that change documents through the subgraphs' own models and append the matching event, exactly
 * as the work-order and messaging subgraphs do.
 */
import { workOrderState } from '@wisp/subgraph-work-order/events';
import { randomBytes } from 'node:crypto';
import { connectMongo, firebaseAuth, type MongoOptions } from '@wisp/shared';
import { newEvent, openEventLog, type EventLog, type StoredEvent } from '@wisp/events';
import { recordMessage } from '@wisp/subgraph-messaging/conversationSummary';
import { createModels as messagingModels } from '@wisp/subgraph-messaging/models';
import { createModels as workOrderModels } from '@wisp/subgraph-work-order/models';
import { authTenantIdFor, emulatorIdToken } from '@wisp/shared/testing';
import { createClient, type Client } from 'graphql-ws';
import { Types } from 'mongoose';
import WebSocket from 'ws';

export const wsUrl = (httpUrl: string) => httpUrl.replace(/^http/, 'ws');

export interface Received {
  data: any[];
  /** The `kind: "subscribed"` payloads: where each (re)subscription starts. */
  started: any[];
  errors: any[];
  closes: { code: number; reason: string }[];
  completed: boolean;
}

/** One graphql-ws connection; records every payload, error and close code. */
export function liveClient(url: string, token: string | null, authorization = token ? `Bearer ${token}` : null) {
  const received: Received = { data: [], started: [], errors: [], closes: [], completed: false };
  const client: Client = createClient({
    url: wsUrl(url),
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization } : {},
    retryAttempts: 0,
    lazy: true,
    on: { closed: (e) => void received.closes.push({ code: (e as { code: number }).code, reason: String((e as { reason?: string }).reason ?? '') }) },
  });
  return {
    client,
    received,
    subscribe(query: string, variables: Record<string, unknown> = {}) {
      const got: Received = { data: [], started: [], errors: [], closes: received.closes, completed: false };
      const stop = client.subscribe(
        { query, variables },
        {
          next: (v) => {
            const root = v.data ? Object.values(v.data)[0] : null;
            if ((root as { kind?: string } | null)?.kind === 'subscribed') got.started.push(v.data);
            else got.data.push(v.data ?? v);
          },
          error: (e) => void got.errors.push(e),
          complete: () => void (got.completed = true),
        },
      );
      return Object.assign(got, { stop });
    },
    dispose: () => client.dispose(),
  };
}

/** Waits until `check` holds, failing with `what` after `ms`. */
export async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Changes work orders and messages the way the subgraphs do: the document, then its event with the work order's state. */
export async function openWriter(mongo: MongoOptions) {
  const [woConn, msgConn] = await Promise.all([connectMongo('work-order', mongo), connectMongo('messaging', mongo)]);
  const { WorkOrder } = workOrderModels(woConn);
  const { Message } = messagingModels(msgConn);
  const log: EventLog = await openEventLog(mongo);

  /** The ticket facts the catalogue asks of every work-order event. */
  const factsOf = (wo: { number: string; type?: string | null; status?: string | null; priority?: string | null; category?: string | null; reporterCustomerId?: unknown; affectedCustomerIds?: unknown[] | null }) => ({
    number: wo.number,
    type: String(wo.type ?? 'SUPPORT'),
    status: String(wo.status ?? 'OPEN'),
    priority: String(wo.priority ?? 'MEDIUM'),
    category: String(wo.category ?? 'OTHER'),
    reporterCustomerId: wo.reporterCustomerId ? String(wo.reporterCustomerId) : null,
    affectedCustomerIds: (wo.affectedCustomerIds ?? []).map(String),
  });

  async function concerned(workOrderId: string) {
    const wo = await WorkOrder.findById(workOrderId).lean();
    if (!wo) throw new Error(`no work order ${workOrderId}`);
    const customerIds = [wo.reporterCustomerId, ...(wo.affectedCustomerIds ?? [])].filter(Boolean).map(String);
    return { wo, customerIds };
  }

  return {
    log,
    head: () => log.head(),
    /** A new work order of its own, so tests never change what other tests read. */
    async createWorkOrder(opts: { tenantId: string; prefix: string; reporter?: string; affected?: string[]; type?: 'SUPPORT' | 'OUTAGE'; title?: string }) {
      const n = 5000 + Math.floor(Math.random() * 4_000_000);
      const wo = await WorkOrder.create({
        tenantId: opts.tenantId,
        number: `${opts.prefix}-${n}`,
        title: opts.title ?? `Live test ${n}`,
        category: opts.type === 'OUTAGE' ? 'NO_SERVICE' : 'SLOW_SPEED',
        type: opts.type ?? 'SUPPORT',
        ...(opts.reporter ? { reporterCustomerId: opts.reporter } : {}),
        affectedCustomerIds: opts.affected ?? [],
      });
      const id = String(wo._id);
      const event = await log.append({
        ...newEvent('ticket.created', {
          tenantId: opts.tenantId,
          entityId: id,
          kind: 'created',
          workOrderId: id,
          customerIds: [opts.reporter, ...(opts.affected ?? [])].filter((x): x is string => !!x),
          internal: false,
          outage: opts.type === 'OUTAGE',
          payload: factsOf(wo),
        }),
        state: workOrderState(wo.toObject()),
      });
      return { id, number: wo.number, event };
    },
    async updateWorkOrder(workOrderId: string, set: Record<string, unknown>, kind = 'updated', internal = false): Promise<StoredEvent> {
      await WorkOrder.updateOne({ _id: workOrderId }, { $set: set });
      const { wo, customerIds } = await concerned(workOrderId);
      return log.append({
        ...newEvent('ticket.updated', {
          tenantId: String(wo.tenantId),
          entityId: workOrderId,
          kind,
          workOrderId,
          customerIds,
          internal,
          outage: wo.type === 'OUTAGE',
          payload: { ...factsOf(wo), fields: Object.keys(set) },
        }),
        // The work order as it now is, as the subgraph's relay attaches it.
        state: workOrderState(wo),
      });
    },
    async addMessage(workOrderId: string, body: string, { internal = false, authorKind = 'AGENT' }: { internal?: boolean; authorKind?: 'AGENT' | 'CUSTOMER' | 'SYSTEM' } = {}) {
      const { wo, customerIds } = await concerned(workOrderId);
      const m = await Message.create({ tenantId: wo.tenantId, workOrderId: new Types.ObjectId(workOrderId), body, authorKind, authorName: 'Support', internal });
      await recordMessage(Message.db.db!, m);
      const stored = await log.append(
        newEvent('message.created', {
          tenantId: String(wo.tenantId),
          entityId: String(m._id),
          kind: 'message_added',
          workOrderId,
          customerIds,
          internal,
          outage: wo.type === 'OUTAGE',
          payload: { workOrderId, authorKind, internal, attachmentCount: 0 },
        }),
      );
      return { messageId: String(m._id), event: stored };
    },
    async close() {
      await log.close();
      await Promise.all([woConn.close(), msgConn.close()]);
    },
  };
}
export type Writer = Awaited<ReturnType<typeof openWriter>>;

/** A fresh login of a WISP with server-set claims (a new customer id unless one is given); its ID token. */
export async function freshLogin(slug: string, tenantId: string, role: 'CUSTOMER' | 'AGENT' = 'CUSTOMER', customerId = new Types.ObjectId().toHexString()) {
  const auth = firebaseAuth().tenantManager().authForTenant(await authTenantIdFor(slug));
  const email = `live-${randomBytes(5).toString('hex')}@${slug}.example`;
  const user = await auth.createUser({ email, password: 'secret-password' });
  await auth.setCustomUserClaims(user.uid, { role, tenantId, ...(role === 'CUSTOMER' ? { customerId } : {}) });
  return { uid: user.uid, email, customerId, token: await emulatorIdToken(email, slug), auth };
}
