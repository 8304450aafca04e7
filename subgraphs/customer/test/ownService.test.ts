/**
 * The customer subgraph alone, on its own databases: it knows tenants only from their events
 * (played here), publishes customer changes with their state, and touches nothing else.
 */
import { randomUUID } from 'node:crypto';
import { Role, type Identity } from '@wisp/shared';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { announce, callAs, newId, openEventLog, ownDatabases, tenantState } from '../../../tests/ownService.ts';
import { start } from '../src/server.ts';

const { mongo, touched } = ownDatabases();
let running: Awaited<ReturnType<typeof start>>;
let log: Awaited<ReturnType<typeof openEventLog>>;
const tenantId = newId();
const agent: Identity = { uid: 'own-agent', role: Role.AGENT, tenantId };
const CREATE = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { ok customer { id accountNumber } errors { field } } }`;

beforeAll(async () => {
  running = await start({ mongo, identitySecret: inject('identitySecret'), worker: { pollMs: 60_000 } });
  log = await openEventLog(mongo);
  await announce(log, 'Tenant', { tenantId, id: tenantId }, tenantState('owncust'));
});
afterAll(async () => {
  await log?.close();
  await running?.stop();
});

describe('the customer subgraph on its own', () => {
  it('publishes a new customer and a change of service status with the customer\'s state', async () => {
    const r = await callAs(running.url, agent, CREATE, { input: { accountNumber: `OWN-${randomUUID().slice(0, 6)}`, name: 'Own Customer', site: 'Hill Tower', serviceStatus: 'ACTIVE' } });
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    const id = r.data!.createCustomer.customer.id as string;
    const u = await callAs(running.url, agent, `mutation($id: ID!) { updateCustomer(id: $id, input: { serviceStatus: SUSPENDED }) { ok } }`, { id });
    expect(u.data?.updateCustomer.ok).toBe(true);
    const { events } = await log.readAfter(0, 1000);
    const mine = events.filter((e) => e.entityId === id);
    expect(mine.map((e) => e.type)).toEqual(['customer.created', 'customer.updated', 'customer.serviceStatusChanged']);
    expect(mine.at(-1)!.state).toMatchObject({ name: 'Own Customer', site: 'Hill Tower', serviceStatus: 'SUSPENDED', portalStatus: 'NONE' });
  });

  it('sent commands only to its own database and the shared plumbing', () => {
    expect([...touched.keys()]).toEqual(['customer']);
    for (const database of touched.get('customer')!) expect(['customer', 'events', 'outbox']).toContain(database);
  });
});
