/**
 * The audit trail beyond portal access: customer records, profiles, tickets and branding, each
 * kept by the service that owns the data, with actor, time, client address and user agent, and
 * readable (filtered, paged) only by the tenant's own admins.
 */
import { codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { admin, agent, apiFrom, createCustomer, gatewayUrl, newCustomer, unique } from './portalAccounts.ts';

const ENTRY = 'edges { cursor node { id category action outcome actor { uid role } target { type id } detail clientAddress userAgent at } } pageInfo { hasNextPage endCursor }';
const CUSTOMER_AUDIT = `query ($filter: AuditFilter, $first: Int, $after: String) { customerAuditLog(filter: $filter, first: $first, after: $after) { ${ENTRY} } }`;
const TICKET_AUDIT = `query ($filter: AuditFilter) { ticketAuditLog(filter: $filter) { ${ENTRY} } }`;
const TENANT_AUDIT = `query ($filter: AuditFilter) { tenantAuditLog(filter: $filter) { ${ENTRY} } }`;

type Entry = { category: string; action: string; outcome: string; actor: { uid: string; role: string }; target: { id: string } | null; clientAddress: string | null; userAgent: string | null; at: string };
const nodes = (r: { data?: Record<string, any> | null }, field: string): Entry[] => (r.data?.[field]?.edges ?? []).map((e: { node: Entry }) => e.node);

const call = (query: string, variables: Record<string, unknown>, token: string, headers: Record<string, string> = {}) =>
  gql(gatewayUrl(), query, variables, { token, headers });

let adminToken: string;
let agentToken: string;

beforeAll(async () => {
  [adminToken, agentToken] = await Promise.all([admin(), agent()]);
});

describe('audit trail', () => {
  it('records a staff change to a customer record with actor, client address and user agent', async () => {
    const customer = await createCustomer(agentToken, newCustomer('SKY', null));
    const ua = `AuditTest/${unique()}`;
    const client = `127.0.77.${Math.floor(Math.random() * 200) + 20}`;
    const before = new Date(Date.now() - 1000).toISOString();
    const r = await apiFrom(client, `mutation ($id: ID!) { updateCustomer(id: $id, input: { sector: "B" }) { ok } }`, { id: customer.id }, { authorization: `Bearer ${agentToken}`, 'user-agent': ua, 'x-wisp-user-agent': 'Zm9yZ2Vk' });
    expect(r.data?.updateCustomer.ok).toBe(true);

    const found = nodes(await call(CUSTOMER_AUDIT, { filter: { targetId: customer.id, actions: ['updateCustomer'] } }, adminToken), 'customerAuditLog');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ category: 'CUSTOMER', action: 'updateCustomer', outcome: 'SUCCESS', actor: { role: 'AGENT' }, target: { id: customer.id }, clientAddress: client, userAgent: ua });
    expect(found[0]!.at >= before).toBe(true);
    // A date range before the change finds nothing; the actor filter finds it.
    expect(nodes(await call(CUSTOMER_AUDIT, { filter: { targetId: customer.id, to: before } }, adminToken), 'customerAuditLog')).toHaveLength(0);
    const byActor = nodes(await call(CUSTOMER_AUDIT, { filter: { actorUid: found[0]!.actor.uid, targetId: customer.id } }, adminToken), 'customerAuditLog');
    expect(byActor.map((e) => e.action)).toEqual(['updateCustomer', 'createCustomer']);
  });

  it('records a customer profile change and a ticket, each in its own service', async () => {
    const alice = await emulatorIdToken('alice@skyline.example', 'skyline');
    const ua = `Browser/${unique()}`;
    await call(`mutation { updateMyContact(input: { contactPreferences: { email: true, sms: false } }) { ok } }`, {}, alice, { 'user-agent': ua });
    const profile = nodes(await call(CUSTOMER_AUDIT, { filter: { category: 'PROFILE' }, first: 5 }, adminToken), 'customerAuditLog');
    expect(profile.find((e) => e.userAgent === ua)).toMatchObject({ action: 'updateMyContact', actor: { role: 'CUSTOMER' } });

    const opened = await call(
      `mutation ($input: OpenTicketInput!) { openTicket(input: $input) { id } }`,
      { input: { title: 'Audit me', description: 'Slow in the evenings', category: 'SLOW_SPEED', clientMutationId: unique() } },
      alice,
      { 'user-agent': ua },
    );
    const ticketId = opened.data?.openTicket.id as string;
    expect(ticketId).toBeTruthy();
    const tickets = nodes(await call(TICKET_AUDIT, { filter: { targetId: ticketId } }, adminToken), 'ticketAuditLog');
    expect(tickets).toEqual([expect.objectContaining({ category: 'TICKET', action: 'openTicket', outcome: 'SUCCESS', userAgent: ua })]);
  });

  it('records refused branding changes as failures', async () => {
    const ua = `Admin/${unique()}`;
    const r = await call(`mutation { updateBranding(input: { website: "javascript:alert(1)" }) { ok } }`, {}, adminToken, { 'user-agent': ua });
    expect(r.data?.updateBranding.ok).toBe(false);
    const found = nodes(await call(TENANT_AUDIT, { filter: { actions: ['updateBranding'] } }, adminToken), 'tenantAuditLog').find((e) => e.userAgent === ua);
    expect(found).toMatchObject({ category: 'BRANDING', outcome: 'FAILURE', actor: { role: 'TENANT_ADMIN' } });
  });

  it('pages with a cursor', async () => {
    const first = await call(CUSTOMER_AUDIT, { first: 1 }, adminToken);
    const page = first.data?.customerAuditLog;
    expect(page.edges).toHaveLength(1);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const next = await call(CUSTOMER_AUDIT, { first: 1, after: page.pageInfo.endCursor }, adminToken);
    expect(next.data?.customerAuditLog.edges[0].node.id).not.toBe(page.edges[0].node.id);
    expect(codes(await call(CUSTOMER_AUDIT, { after: 'garbage' }, adminToken))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await call(CUSTOMER_AUDIT, { filter: { from: 'yesterday' } }, adminToken))).toEqual(['BAD_USER_INPUT']);
  });

  it('is for tenant admins of the tenant only', async () => {
    const alice = await emulatorIdToken('alice@skyline.example', 'skyline');
    for (const token of [agentToken, alice]) {
      for (const q of [CUSTOMER_AUDIT, TICKET_AUDIT, TENANT_AUDIT]) expect(codes(await call(q, {}, token))).toEqual(['FORBIDDEN']);
    }
    expect(codes(await gql(gatewayUrl(), CUSTOMER_AUDIT, {}))).toEqual(['UNAUTHENTICATED']);
    // Prairie's admin sees none of Skyline's entries.
    const skylineAdminUid = nodes(await call(TENANT_AUDIT, {}, adminToken), 'tenantAuditLog')[0]?.actor.uid;
    const prairie = await admin('prairie');
    for (const [q, f] of [[CUSTOMER_AUDIT, 'customerAuditLog'], [TICKET_AUDIT, 'ticketAuditLog'], [TENANT_AUDIT, 'tenantAuditLog']] as const) {
      const theirs = nodes(await call(q, { filter: skylineAdminUid ? { actorUid: skylineAdminUid } : {} }, prairie), f);
      expect(theirs).toHaveLength(0);
    }
  });
});
