/**
 * The messaging subgraph alone, on its own databases: who may see a conversation it decides from
 * its read model of work orders, fed by the work-order subgraph's events (played here), and it
 * writes the conversation's status lines itself when it sees a status change.
 */
import { randomUUID } from 'node:crypto';
import { newEvent, type StateOf } from '@wisp/events';
import { Role, type Identity } from '@wisp/shared';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { announce, callAs, customerState, newId, openEventLog, ownDatabases, tenantState } from '../../../tests/ownService.ts';
import { start } from '../src/server.ts';

const { mongo, touched } = ownDatabases();
let running: Awaited<ReturnType<typeof start>>;
let log: Awaited<ReturnType<typeof openEventLog>>;
const tenantId = newId();
const [reporterId, otherId, ticketId] = [newId(), newId(), newId()];
const as = (customerId: string): Identity => ({ uid: `u-${customerId}`, role: Role.CUSTOMER, tenantId, customerId });
const ticket: StateOf<'WorkOrder'> = {
  number: 'OWN-1001',
  title: 'Slow evenings',
  type: 'SUPPORT',
  status: 'OPEN',
  priority: 'MEDIUM',
  category: 'SLOW_SPEED',
  reporterCustomerId: reporterId,
  affectedCustomerIds: [],
  assigneeUid: null,
};
const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id body authorKind } }`;
const send = (who: Identity, body: string) => callAs(running.url, who, SEND, { input: { workOrderId: ticketId, body, clientMutationId: randomUUID() } });
const CONVERSATION = `query($r: [_Any!]!) { _entities(representations: $r) { ... on WorkOrder { messages(first: 50) { edges { node { body authorKind } } } } } }`;
const conversation = async (who: Identity) =>
  ((await callAs(running.url, who, CONVERSATION, { r: [{ __typename: 'WorkOrder', id: ticketId }] })).data?._entities?.[0]?.messages?.edges ?? []).map((e: { node: { body: string; authorKind: string } }) => e.node);

beforeAll(async () => {
  running = await start({ mongo, identitySecret: inject('identitySecret') });
  log = await openEventLog(mongo);
  await announce(log, 'Tenant', { tenantId, id: tenantId }, tenantState('ownmsg'));
  await announce(log, 'Customer', { tenantId, id: reporterId }, customerState('Robin Reporter'));
  await announce(log, 'Customer', { tenantId, id: otherId }, customerState('Oscar Other'));
  await announce(log, 'WorkOrder', { tenantId, id: ticketId }, ticket);
});
afterAll(async () => {
  await log?.close();
  await running?.stop();
});

describe('the messaging subgraph on its own', () => {
  it('lets the reporter write on the ticket, and nobody else', async () => {
    const mine = await send(as(reporterId), 'Still slow tonight.');
    expect(mine.errors).toBeUndefined();
    expect(mine.data!.sendMessage).toMatchObject({ body: 'Still slow tonight.', authorKind: 'CUSTOMER' });
    expect((await send(as(otherId), 'Let me in.')).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await conversation(as(otherId))).length).toBe(0);
  });

  it('writes the status line itself when the work-order subgraph reports the change', async () => {
    const facts = { number: ticket.number, type: ticket.type, status: 'IN_PROGRESS', priority: ticket.priority, category: ticket.category, reporterCustomerId: reporterId, affectedCustomerIds: [] };
    await log.append({
      ...newEvent('ticket.statusChanged', { tenantId, entityId: ticketId, kind: 'status_changed', workOrderId: ticketId, customerIds: [reporterId], internal: false, payload: { ...facts, from: 'OPEN', to: 'IN_PROGRESS', note: null, change: 1 } }),
      state: { ...ticket, status: 'IN_PROGRESS' },
    });
    const deadline = Date.now() + 10_000;
    let lines: { body: string; authorKind: string }[] = [];
    while (Date.now() < deadline) {
      lines = (await conversation(as(reporterId))).filter((m: { authorKind: string }) => m.authorKind === 'SYSTEM');
      if (lines.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(lines.map((l) => l.body)).toEqual(['Status changed from Open to In progress.']);
  });

  it('follows a ticket handed to another customer', async () => {
    await announce(log, 'WorkOrder', { tenantId, id: ticketId }, { ...ticket, reporterCustomerId: otherId });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await conversation(as(otherId))).length === 0) await new Promise((r) => setTimeout(r, 50));
    expect((await conversation(as(otherId))).length).toBeGreaterThan(0);
    expect((await conversation(as(reporterId))).length).toBe(0);
  });

  it('sent commands only to its own database and the shared plumbing', () => {
    expect([...touched.keys()]).toEqual(['messaging']);
    expect([...touched.get('messaging')!].sort()).toEqual(expect.arrayContaining(['messaging']));
    for (const database of touched.get('messaging')!) expect(['messaging', 'events', 'outbox']).toContain(database);
  });
});
