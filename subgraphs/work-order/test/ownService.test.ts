/**
 * The work-order subgraph alone, on its own databases: it learns of tenants and customers only
 * from their owners' events (played here by appending them), and publishes its own changes.
 */
import { randomUUID } from 'node:crypto';
import { assertMayOpen, Role, type Identity } from '@wisp/shared';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { announce, callAs, customerState, newId, openEventLog, ownDatabases, tenantState } from '../../../tests/ownService.ts';
import { start } from '../src/server.ts';

const { mongo, touched } = ownDatabases();
let running: Awaited<ReturnType<typeof start>>;
let log: Awaited<ReturnType<typeof openEventLog>>;
const tenantId = newId();
const customerId = newId();
const customer: Identity = { uid: `u-${customerId}`, role: Role.CUSTOMER, tenantId, customerId };
const OPEN = `mutation($input: OpenTicketInput!) { openTicket(input: $input) { id number title serviceSnapshot { planName site } } }`;
const open = (who: Identity) => callAs(running.url, who, OPEN, { input: { title: 'No signal', description: 'Since noon.', category: 'NO_SERVICE', clientMutationId: randomUUID() } });

beforeAll(async () => {
  running = await start({ mongo, identitySecret: inject('identitySecret') });
  log = await openEventLog(mongo);
  await announce(log, 'Tenant', { tenantId, id: tenantId }, tenantState('ownwo'));
  await announce(log, 'Customer', { tenantId, id: customerId }, customerState('Dana Own', { site: 'Hill Tower' }));
});
afterAll(async () => {
  await log?.close();
  await running?.stop();
});

describe('the work-order subgraph on its own', () => {
  it('opens a ticket with the customer\'s snapshot from its read model, and publishes it with its state', async () => {
    const r = await open(customer);
    expect(r.errors).toBeUndefined();
    const wo = r.data!.openTicket;
    // The number's prefix comes from the tenant's slug, the snapshot from the customer's events.
    expect(wo.number).toMatch(/^OWN-\d+$/);
    expect(wo.serviceSnapshot).toMatchObject({ planName: 'Valley 100', site: 'Hill Tower' });
    const { events } = await log.readAfter(0, 1000);
    const created = events.find((e) => e.entityId === wo.id && e.type === 'ticket.created');
    expect(created?.state).toMatchObject({ number: wo.number, title: 'No signal', status: 'OPEN', reporterCustomerId: customerId });
  });

  it('knows no customer its owner never announced', async () => {
    const stranger: Identity = { uid: 'u-stranger', role: Role.CUSTOMER, tenantId, customerId: newId() };
    expect((await open(stranger)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('sees a customer\'s change as soon as it is announced', async () => {
    await announce(log, 'Customer', { tenantId, id: customerId }, customerState('Dana Own', { site: 'Lake Tower' }));
    const r = await open(customer);
    // Snapshots may lag the owner by a poll; the next ticket has the new site at the latest.
    const site = r.data!.openTicket.serviceSnapshot.site;
    expect(['Hill Tower', 'Lake Tower']).toContain(site);
    // Waiting for the condition, not for a time: some later ticket has it.
    const deadline = Date.now() + 5_000;
    let later = site;
    while (later !== 'Lake Tower' && Date.now() < deadline) later = (await open(customer)).data!.openTicket.serviceSnapshot.site;
    expect(later).toBe('Lake Tower');
  });

  it('sent commands only to its own database and the shared plumbing', () => {
    expect(touched.get('work-order')).toBeDefined();
    for (const database of touched.get('work-order') ?? []) expect(() => assertMayOpen('work-order', database.replace('work_order', 'work-order'))).not.toThrow();
    expect([...touched.keys()]).toEqual(['work-order']);
  });
});
