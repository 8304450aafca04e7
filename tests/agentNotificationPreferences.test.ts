/** Each staff member chooses which of their notifications also come by email; nobody else's choice changes. */
import { randomUUID } from 'node:crypto';
import { Role } from '@wisp/shared';
import { codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { describe, expect, inject, it } from 'vitest';
import { eventually } from './portalAccounts.ts';
import { createTestTenant } from './tenantFixtures.ts';

const url = inject('gatewayUrl');
const PREFS = `{ agentNotificationPreferences { emailKinds } }`;
const SET = `mutation($k: [AgentNotificationKind!]!) { updateAgentNotificationPreferences(emailKinds: $k) { emailKinds } }`;
const OUTBOX = `query($to: String) { outboxEmails(to: $to, first: 100) { kind subject } }`;

describe('agent notification preferences', () => {
  it('stop the emails of one kind for the member who chose it, while the in-app notification still arrives', async () => {
    const t = await createTestTenant(url, await emulatorIdToken('ops@platform.example'), 'anp');
    const admin = await t.adminToken();
    const agentEmail = `agent@${t.slug}.example`;
    const agent = await t.loginAs(Role.AGENT, agentEmail);
    const created = await gql(url, `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { accountNumber: `ANP-${randomUUID().slice(0, 6)}`, name: 'Pref Customer', serviceStatus: 'ACTIVE' } }, { token: admin });
    const customer = await t.loginAs(Role.CUSTOMER, `cust@${t.slug}.example`, created.data!.createCustomer.customer.id);

    expect((await gql(url, PREFS, {}, { token: agent })).data!.agentNotificationPreferences.emailKinds).toEqual(['TICKET_CREATED', 'CUSTOMER_MESSAGE', 'CALLBACK_REQUESTED']);
    expect((await gql(url, SET, { k: ['CUSTOMER_MESSAGE', 'CALLBACK_REQUESTED'] }, { token: agent })).data!.updateAgentNotificationPreferences.emailKinds).toEqual(['CUSTOMER_MESSAGE', 'CALLBACK_REQUESTED']);
    expect(codes(await gql(url, SET, { k: [] }, { token: customer }))).toEqual(['FORBIDDEN']);
    expect(codes(await gql(url, SET, { k: ['NOT_A_KIND'] }, { token: agent }))).toEqual(['BAD_USER_INPUT']);

    const open = await gql(url, `mutation($input: OpenTicketInput!) { openTicket(input: $input) { id } }`, { input: { title: 'Down', description: 'No link', category: 'NO_SERVICE', clientMutationId: randomUUID() } }, { token: customer });
    const ticketId = open.data!.openTicket.id as string;
    const N = `{ agentNotifications(first: 20) { items { kind workOrder { id } } } }`;
    const arrived = (token: string) => eventually(async () => (await gql(url, N, {}, { token })).data?.agentNotifications.items.find((n: { kind: string; workOrder: { id: string } | null }) => n.kind === 'TICKET_CREATED' && n.workOrder?.id === ticketId));
    await arrived(agent);
    await arrived(admin);
    // The administrator (who kept the default) is emailed; the agent is not.
    await eventually(async () => ((await gql(url, OUTBOX, { to: t.adminEmail }, { token: admin })).data?.outboxEmails ?? []).find((m: { kind: string }) => m.kind === 'agent-notification'));
    await new Promise((r) => setTimeout(r, 300));
    expect(((await gql(url, OUTBOX, { to: agentEmail }, { token: admin })).data!.outboxEmails as { kind: string }[]).filter((m) => m.kind === 'agent-notification')).toEqual([]);
    expect((await gql(url, PREFS, {}, { token: admin })).data!.agentNotificationPreferences.emailKinds).toEqual(['TICKET_CREATED', 'CUSTOMER_MESSAGE', 'CALLBACK_REQUESTED']);
  });
});
