/**
 * What a customer hears from their WISP over a ticket's life, through the whole stack: staff act
 * through the gateway, the customer subgraph's notifications turn the events into branded mail.
 */
import { Role } from '@wisp/shared';
import { codes, emulatorIdToken } from '@wisp/shared/testing';
import { createTestTenant } from './tenantFixtures.ts';
import { describe, expect, it } from 'vitest';
import { agent, api, createCustomer, eventually, gatewayUrl, newCustomer, OUTBOX, passwordSignIn, unique } from './portalAccounts.ts';

type Mail = { kind: string; subject: string; text: string; html: string };
const inbox = async (to: string, token: string): Promise<Mail[]> => ((await api(OUTBOX, { to }, token)).data?.outboxEmails ?? []) as Mail[];
const notifications = (mails: Mail[]) => mails.filter((m) => m.kind.startsWith('notification-'));
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

describe('customer notifications through the stack', () => {
  it('mails the customer for the ticket, a public reply (never a note), a visit and the resolution, and shows staff what went out', async () => {
    const staff = await agent();
    const customer = await createCustomer(staff, newCustomer());
    const open = await api(`mutation ($input: OpenTicketInput!) { openTicket(input: $input) { id number } }`, { input: { title: 'Slow evenings', description: 'Speeds drop after 7pm', category: 'SLOW_SPEED', clientMutationId: unique(), customerId: customer.id } }, staff);
    expect(open.errors).toBeUndefined();
    const { id, number } = open.data!.openTicket as { id: string; number: string };
    const received = await eventually(async () => notifications(await inbox(customer.email, staff)).find((m) => m.kind === 'notification-ticket-received'));
    expect(received.subject).toBe(`We received your ticket ${number}`);
    expect(received.text).toContain(`/tickets/${id}`);
    expect(received.text).toContain('Skyline Wireless');

    const SEND = `mutation ($input: SendMessageInput!) { sendMessage(input: $input) { id } }`;
    await api(SEND, { input: { workOrderId: id, body: 'Secret: this customer is on the old sector', internal: true, clientMutationId: unique() } }, staff);
    await api(SEND, { input: { workOrderId: id, body: 'We are moving you to a less busy sector tonight.', clientMutationId: unique() } }, staff);
    const reply = await eventually(async () => notifications(await inbox(customer.email, staff)).find((m) => m.kind === 'notification-staff-reply'));
    expect(reply.text).toContain('We are moving you to a less busy sector tonight.');

    const start = new Date(Date.now() + 3 * 24 * 3600_000);
    start.setUTCHours(15, 0, 0, 0);
    const end = new Date(start.getTime() + 2 * 3600_000);
    const visit = await api(`mutation ($id: ID!, $s: String, $e: String) { scheduleVisit(id: $id, windowStart: $s, windowEnd: $e) { id } }`, { id, s: start.toISOString(), e: end.toISOString() }, staff);
    expect(visit.errors).toBeUndefined();
    const scheduled = await eventually(async () => notifications(await inbox(customer.email, staff)).find((m) => m.kind === 'notification-visit-scheduled'));
    expect(scheduled.text).toMatch(/A technician visit is scheduled for \w+day, \w+ \d+/);

    await api(`mutation ($id: ID!, $s: WorkOrderStatus!) { changeWorkOrderStatus(id: $id, status: $s) { status } }`, { id, s: 'RESOLVED' }, staff);
    const resolved = await eventually(async () => notifications(await inbox(customer.email, staff)).find((m) => m.kind === 'notification-status-changed'));
    expect(resolved.subject).toBe(`Ticket ${number}: resolved`);

    // Nothing staff-only, and no machine timestamps, in anything the customer was sent.
    for (const m of notifications(await inbox(customer.email, staff))) {
      expect(m.text + m.html).not.toContain('old sector');
      expect(m.text).not.toMatch(ISO);
    }
    const log = await api(`query ($id: ID!) { workOrder(id: $id) { customerNotifications { channel status kinds to } } }`, { id }, staff);
    expect(log.errors).toBeUndefined();
    const kinds = (log.data!.workOrder.customerNotifications as { kinds: string[]; status: string; to: string }[]).map((n) => `${n.kinds[0]}:${n.status}`);
    expect(kinds).toEqual(expect.arrayContaining(['ticket-received:SENT', 'staff-reply:SENT', 'visit-scheduled:SENT', 'status-changed:SENT']));
    const mine = await api(`query ($id: ID!) { customer(id: $id) { notificationLog { kinds to status } } }`, { id: customer.id }, staff);
    expect(mine.data!.customer.notificationLog.length).toBeGreaterThanOrEqual(4);
  });

  it('unsubscribes with one click from the List-Unsubscribe address, for that customer only', async () => {
    const staff = await agent();
    const customer = await createCustomer(staff, newCustomer());
    await api(`mutation ($input: OpenTicketInput!) { openTicket(input: $input) { id } }`, { input: { title: 'Router lights off', description: 'All dark', category: 'NO_SERVICE', clientMutationId: unique(), customerId: customer.id } }, staff);
    const mail = await eventually(async () => notifications(await inbox(customer.email, staff)).find((m) => m.kind === 'notification-ticket-received'));
    const link = /https?:\/\/\S+\/unsubscribe\?token=(\S+)/.exec(mail.text);
    expect(link).toBeTruthy();
    const token = decodeURIComponent(link![1]!);
    const oneClick = new URL('/unsubscribe', gatewayUrl());
    const bad = await fetch(`${oneClick}?token=${encodeURIComponent(token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(bad.status).toBe(400);
    const ok = await fetch(`${oneClick}?token=${encodeURIComponent(token)}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(ok.status).toBe(200);
    const Q = `query ($id: ID!) { customer(id: $id) { notificationPreferences { email { tickets visits outages } } } }`;
    expect((await api(Q, { id: customer.id }, staff)).data?.customer.notificationPreferences.email).toEqual({ tickets: false, visits: true, outages: true });
    // The next ticket email is not sent, and the log says why.
    await api(`mutation ($input: OpenTicketInput!) { openTicket(input: $input) { id } }`, { input: { title: 'Again', description: 'Still dark', category: 'NO_SERVICE', clientMutationId: unique(), customerId: customer.id } }, staff);
    const skipped = await eventually(async () => {
      const r = await api(`query ($id: ID!) { customer(id: $id) { notificationLog { status reason } } }`, { id: customer.id }, staff);
      return (r.data?.customer.notificationLog as { status: string; reason: string }[] | undefined)?.find((n) => n.status === 'SKIPPED');
    });
    expect(skipped.reason).toBe('Email about tickets turned off by the customer');
  });

  it('keeps the delivery log from customers and from other WISPs', async () => {
    const carol = await passwordSignIn('carol@shared.example', 'demo-password', 'skyline');
    const open = await api(`mutation ($input: OpenTicketInput!) { openTicket(input: $input) { id } }`, { input: { title: 'Checking', description: 'Just checking', category: 'OTHER', clientMutationId: unique() } }, carol.token);
    const id = open.data!.openTicket.id as string;
    expect(codes(await api(`query ($id: ID!) { workOrder(id: $id) { customerNotifications { to } } }`, { id }, carol.token))).toContain('FORBIDDEN');
    const other = await api(`query ($id: ID!) { workOrder(id: $id) { customerNotifications { to } } }`, { id }, await agent('prairie'));
    expect(other.data?.workOrder ?? null).toBeNull();
  });

  it('texts a customer who opted in, in the SMS outbox, and shows the text in the delivery log', async () => {
    const t = await createTestTenant(gatewayUrl(), await emulatorIdToken('ops@platform.example'), 'sms');
    const admin = await t.adminToken();
    const phone = `+1555${String(Date.now()).slice(-7)}`;
    const made = await api(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { accountNumber: `SMS-${unique()}`, name: 'Text Customer', email: `text-${unique()}@example.com`, phone, serviceStatus: 'ACTIVE' } }, admin);
    const customerId = made.data!.createCustomer.customer.id as string;
    const customer = await t.loginAs(Role.CUSTOMER, `text-login-${unique()}@example.com`, customerId);
    const opted = await api(`mutation { updateMyNotificationPreferences(input: { smsEnabled: true }) { ok errors { field } } }`, {}, customer);
    expect(opted.data?.updateMyNotificationPreferences).toEqual({ ok: true, errors: [] });
    const open = await api(`mutation ($input: OpenTicketInput!) { openTicket(input: $input) { id } }`, { input: { title: 'No link', description: 'Dark', category: 'NO_SERVICE', clientMutationId: unique(), customerId } }, admin);
    const id = open.data!.openTicket.id as string;
    await api(`mutation ($id: ID!, $s: WorkOrderStatus!) { changeWorkOrderStatus(id: $id, status: $s) { status } }`, { id, s: 'RESOLVED' }, admin);
    const text = await eventually(async () => ((await api(`query ($to: String) { outboxSms(to: $to) { to body kind } }`, { to: phone }, admin)).data?.outboxSms ?? []).find((m: { kind: string }) => m.kind === 'notification-status-changed'));
    expect(text.body).toMatch(/^Test WISP .*resolved.*Reply STOP to opt out\.$/);
    const log = await eventually(async () => {
      const r = await api(`query ($id: ID!) { workOrder(id: $id) { customerNotifications { channel status kinds } } }`, { id }, admin);
      return (r.data?.workOrder?.customerNotifications as { channel: string; status: string }[] | undefined)?.find((n) => n.channel === 'SMS' && n.status === 'SENT');
    });
    expect(log).toMatchObject({ channel: 'SMS', status: 'SENT' });
  });
});
