/**
 * Customer notifications in the customer subgraph alone: ticket, visit, outage and call-back events
 * are played as their owners would publish them; what customers are sent is read from the outbox.
 * The clock is fixed, so grouping windows, reminders and quiet hours are exact.
 */
import { randomBytes } from 'node:crypto';
import { newEvent, type EventType, type PayloadOf, type StateOf, type StoredEvent } from '@wisp/events';
import { createLogger, openOutbox, Role, type Identity, type Outbox } from '@wisp/shared';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { announce, callAs, newId, openEventLog } from '../../../tests/ownService.ts';
import { createPlanner } from '../src/notifications/planner.ts';
import { createSender, type QueuedSms } from '../src/notifications/sender.ts';
import { start } from '../src/server.ts';

const { mongo } = { mongo: { uri: inject('mongoUri'), dbPrefix: `notify_${randomBytes(4).toString('hex')}` } };
let running: Awaited<ReturnType<typeof start>>;
let log: Awaited<ReturnType<typeof openEventLog>>;
let outbox: Outbox;
const texts: QueuedSms[] = [];
let clock = new Date('2026-12-02T16:00:00Z'); // 10:00 in Chicago
const tenantId = newId();
const agent: Identity = { uid: 'notify-agent', role: Role.AGENT, tenantId };
const WINDOW = 120_000;
let sender: ReturnType<typeof createSender>;

beforeAll(async () => {
  running = await start({ mongo, identitySecret: inject('identitySecret'), worker: { pollMs: 60_000 }, notifications: { noSender: true, now: () => clock, groupWindowMs: WINDOW } });
  log = await openEventLog(mongo);
  outbox = await openOutbox(mongo);
  const state = {
    slug: 'notifywisp',
    name: 'Valley Air',
    status: 'ACTIVE' as const,
    authTenantId: null,
    branding: {
      companyName: 'Valley Air Internet',
      displayName: 'Valley Air',
      colors: { primary: '#1d4ed8', secondary: '#0f172a', accent: '#f59e0b', background: '#ffffff', text: '#0f172a' },
      supportPhone: '+1 555 0100',
      timeZone: 'America/Chicago',
      mailFromAddress: 'help@valleyair.example',
    },
    brandingVersion: 1,
    domains: ['portal.valleyair.example'],
  } satisfies StateOf<'Tenant'>;
  await announce(log, 'Tenant', { tenantId, id: tenantId }, state);
  const services = running.models.services;
  sender = createSender(
    {
      models: running.models,
      tenants: services.tenants,
      channels: { email: async (e) => ({ id: (await outbox.queue(e)).email.id }), sms: async (s) => (texts.push(s), { id: `sms-${texts.length}` }) },
      portalUrl: () => 'https://portal.valleyair.example',
      unsubscribe: (_t, customerId, category) => ({ oneClick: `https://api.example/unsubscribe?token=${customerId}.${category}`, page: `https://portal.valleyair.example/unsubscribe?token=${customerId}.${category}` }),
      log: createLogger('notify-test'),
    },
    { now: () => clock, leaseMs: 60_000 },
  );
});
afterAll(async () => {
  await outbox?.close();
  await log?.close();
  await running?.stop();
});

const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));

async function newCustomer(name: string, fields: Record<string, unknown> = {}) {
  const r = await callAs(running.url, agent, `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { ok customer { id } errors { field message } } }`, {
    input: { accountNumber: `N-${randomBytes(3).toString('hex')}`, name, site: 'North Ridge', serviceStatus: 'ACTIVE', ...fields },
  });
  expect(r.data?.createCustomer.errors, JSON.stringify(r)).toEqual([]);
  const id = r.data!.createCustomer.customer.id as string;
  return { id, identity: { uid: `cust-${id}`, role: Role.CUSTOMER, tenantId, customerId: id } as Identity };
}

async function setPreferences(identity: Identity, input: Record<string, unknown>) {
  const r = await callAs(running.url, identity, `mutation($input: NotificationPreferencesInput!) { updateMyNotificationPreferences(input: $input) { ok errors { field message } preferences { smsEnabled language quietHours { start end } } } }`, { input });
  expect(r.data?.updateMyNotificationPreferences, JSON.stringify(r)).toMatchObject({ ok: true });
  return r.data!.updateMyNotificationPreferences;
}

function workOrderState(id: string, reporter: string | null, over: Partial<StateOf<'WorkOrder'>> = {}): StateOf<'WorkOrder'> {
  return { number: `WO-${id.slice(-4)}`, title: 'No internet since this morning', type: 'SUPPORT', status: 'OPEN', priority: 'MEDIUM', category: 'CONNECTIVITY', reporterCustomerId: reporter, affectedCustomerIds: [], assigneeUid: null, ...over };
}

/** Appends an event as the work-order (or messaging) subgraph's relay would. */
async function play<T extends EventType>(type: T, wo: { id: string; state: StateOf<'WorkOrder'> }, payload: PayloadOf<T>, extra: { internal?: boolean; entityId?: string } = {}): Promise<StoredEvent> {
  const customerIds = [...(wo.state.reporterCustomerId ? [wo.state.reporterCustomerId] : []), ...wo.state.affectedCustomerIds];
  const event = newEvent(type, { tenantId, entityId: extra.entityId ?? wo.id, kind: 'changed', workOrderId: wo.id, customerIds, internal: extra.internal ?? false, outage: wo.state.type === 'OUTAGE', payload });
  return log.append({ ...event, state: extra.entityId ? null : wo.state });
}

const facts = (s: StateOf<'WorkOrder'>) => ({ number: s.number, type: s.type, status: s.status, priority: s.priority, category: s.category, reporterCustomerId: s.reporterCustomerId, affectedCustomerIds: s.affectedCustomerIds });

/** Waits until the planner has stored `n` rows for a customer. */
async function planned(customerId: string, n: number) {
  await expect.poll(() => running.models.Notification.countDocuments({ customerId }), { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(n);
  return running.models.Notification.find({ customerId }).sort({ createdAt: 1 }).lean();
}

// Only notifications: a customer created with an email may also get the portal's welcome mail.
const mailTo = async (to: string) => (await outbox.list({ tenantId, to, limit: 50 })).filter((m) => m.kind.startsWith('notification-'));
const ISO = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

describe('customer notifications', () => {
  it('tells the customer of their ticket: received, staff replies (never internal notes), status, grouped within the window', async () => {
    const { id } = await newCustomer('Rosa Diaz', { email: `rosa-${randomBytes(3).toString('hex')}@example.com` });
    const email = (await running.models.Customer.findById(id).lean())!.email!;
    const wo = { id: newId(), state: workOrderState(newId(), id) };
    await play('ticket.created', wo, facts(wo.state));
    await planned(id, 1);
    advance(WINDOW);
    expect(await sender.runOnce()).toBe(1);
    const [received] = await mailTo(email);
    expect(received!.subject).toBe(`We received your ticket ${wo.state.number}`);
    expect(received!.text).toContain('No internet since this morning');
    expect(received!.html).toContain('Valley Air Internet');
    expect(received!.text).toContain(`https://portal.valleyair.example/tickets/${wo.id}`);
    expect(received!.from).toBe('"Valley Air Internet" <help@valleyair.example>');
    expect(received!.headers).toMatchObject({ 'List-Unsubscribe': expect.stringMatching(/^<https:\/\/api\.example\/unsubscribe\?token=/), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });

    // An internal note, a public reply and a status change a minute apart: one email, without the note.
    await play('message.created', wo, { workOrderId: wo.id, authorKind: 'AGENT', internal: true, attachmentCount: 0, excerpt: null, authorName: null }, { internal: true, entityId: newId() });
    await play('message.created', wo, { workOrderId: wo.id, authorKind: 'AGENT', internal: false, attachmentCount: 0, excerpt: 'Please power-cycle the radio on the roof.', authorName: 'Dana' }, { entityId: newId() });
    advance(60_000);
    wo.state = { ...wo.state, status: 'WAITING_ON_CUSTOMER' };
    await play('ticket.statusChanged', wo, { ...facts(wo.state), from: 'OPEN', to: 'WAITING_ON_CUSTOMER', note: 'Internal: customer is grumpy', change: 1 });
    await planned(id, 3);
    expect(await sender.runOnce()).toBe(0);
    advance(WINDOW);
    expect(await sender.runOnce()).toBe(1);
    const mails = await mailTo(email);
    expect(mails).toHaveLength(2);
    const update = mails[0]!;
    expect(update.subject).toBe(`Ticket ${wo.state.number}: waiting on you`);
    expect(update.text).toContain('Dana replied');
    expect(update.text).toContain('Please power-cycle the radio on the roof.');
    expect(update.text).toContain('is now waiting on you');
    expect(update.text + update.html).not.toContain('grumpy');
    expect(update.text + update.html).not.toMatch(ISO);
    // Planned again (a redelivered event) and sent again (a second sender): nothing new.
    const rows = await running.models.Notification.countDocuments({ customerId: id });
    const again = createPlanner({ models: running.models, tenants: running.models.services.tenants, workOrder: async () => null }, { now: () => clock, groupWindowMs: WINDOW });
    for (const event of (await log.readAfter(0, 10_000)).events.filter((e) => e.workOrderId === wo.id)) await again.plan(event);
    expect(await running.models.Notification.countDocuments({ customerId: id })).toBe(rows);
    expect(await sender.runOnce()).toBe(0);
  });

  it('writes visit times in the customer\'s words and time zone, moves the reminder with the visit, and texts only who opted in', async () => {
    const { id, identity } = await newCustomer('Ken Adams', { email: `ken-${randomBytes(3).toString('hex')}@example.com`, phone: '(555) 201-3344' });
    await setPreferences(identity, { smsEnabled: true, language: 'es' });
    const email = (await running.models.Customer.findById(id).lean())!.email!;
    const wo = { id: newId(), state: workOrderState(newId(), id, { status: 'SCHEDULED' }) };
    const start = new Date('2026-12-09T16:00:00Z'); // 10:00 in Chicago, a week on
    const end = new Date(start.getTime() + 2 * 3600_000);
    await play('ticket.visitScheduled', wo, { ...facts(wo.state), windowStart: start.toISOString(), windowEnd: end.toISOString() });
    const rows = await planned(id, 4);
    expect(rows.map((r) => `${r.kind}/${r.channel}/${r.status}`).sort()).toEqual(['visit-reminder/EMAIL/SCHEDULED', 'visit-reminder/SMS/SCHEDULED', 'visit-scheduled/EMAIL/SCHEDULED', 'visit-scheduled/SMS/SCHEDULED']);
    advance(WINDOW);
    expect(await sender.runOnce()).toBe(2);
    const [mail] = await mailTo(email);
    expect(mail!.subject).toBe(`Visita programada para el ticket ${wo.state.number}`);
    expect(mail!.text).toMatch(/10:00.12:00/);
    expect(mail!.text).not.toMatch(ISO);
    const sms = texts.find((t) => t.to === '+15552013344')!;
    expect(sms.body).toMatch(/^Valley Air Internet: /);
    expect(sms.body).toContain('STOP');

    // Moved by a day: the old reminder is dropped, the new one waits for the day before.
    const moved = new Date(start.getTime() + 24 * 3600_000);
    await play('ticket.visitScheduled', wo, { ...facts(wo.state), windowStart: moved.toISOString(), windowEnd: new Date(moved.getTime() + 2 * 3600_000).toISOString() });
    const after = await planned(id, 8);
    expect(after.filter((r) => r.kind === 'visit-reminder' && r.status === 'SKIPPED').map((r) => r.reason)).toEqual(['The visit moved', 'The visit moved']);
    expect(after.filter((r) => r.kind === 'visit-rescheduled')).toHaveLength(2);
    const reminder = after.find((r) => r.kind === 'visit-reminder' && r.status === 'SCHEDULED' && r.channel === 'EMAIL')!;
    expect(reminder.dueAt.toISOString()).toBe(new Date(moved.getTime() - 24 * 3600_000).toISOString());
  });

  it('defers texts in the customer\'s quiet hours, not their email', async () => {
    const { id, identity } = await newCustomer('Mia Wong', { email: `mia-${randomBytes(3).toString('hex')}@example.com`, phone: '+1 555 301 7788' });
    // 10:00 in Chicago is 11:00 in New York: quiet 09:00–12:00 there holds now.
    await setPreferences(identity, { smsEnabled: true, timeZone: 'America/New_York', quietHours: { start: '09:00', end: '12:00' } });
    const wo = { id: newId(), state: workOrderState(newId(), id, { status: 'RESOLVED' }) };
    await play('ticket.statusChanged', wo, { ...facts(wo.state), from: 'OPEN', to: 'RESOLVED', note: null, change: 1 });
    const rows = await planned(id, 2);
    const sms = rows.find((r) => r.channel === 'SMS')!;
    expect(sms.status).toBe('DEFERRED');
    expect(sms.reason).toBe('Quiet hours');
    const quietEnd = new Date(Date.UTC(2026, 11, 2, 17, 0)); // 12:00 New York
    expect(sms.dueAt.getTime()).toBeGreaterThanOrEqual(quietEnd.getTime());
    const mine = () => texts.filter((t) => t.to === '+15553017788');
    advance(WINDOW);
    await sender.runOnce();
    expect((await running.models.Notification.findById(rows.find((r) => r.channel === 'EMAIL')!._id).lean())!.status).toBe('SENT');
    expect(mine()).toHaveLength(0);
    clock = new Date(sms.dueAt.getTime() + 1000);
    await sender.runOnce();
    expect(mine()).toHaveLength(1);
  });

  it('fans an outage out to the site, texts at most once per stage, and respects an unsubscribe', async () => {
    const site = `Tower ${randomBytes(2).toString('hex')}`;
    const a = await newCustomer('Outage A', { email: `oa-${randomBytes(3).toString('hex')}@example.com`, site, phone: '+1 555 401 0001' });
    const b = await newCustomer('Outage B', { email: `ob-${randomBytes(3).toString('hex')}@example.com`, site });
    await setPreferences(a.identity, { smsEnabled: true });
    await setPreferences(b.identity, { email: { outages: false } });
    const outage = { id: newId(), state: workOrderState(newId(), null, { type: 'OUTAGE', title: 'Fibre cut near the tower', affectedCustomerIds: [] }) };
    await play('outage.created', outage, { ...facts(outage.state), site });
    const rowsA = await planned(a.id, 2);
    const rowsB = await planned(b.id, 1);
    expect(rowsB.map((r) => `${r.channel}/${r.status}/${r.reason}`)).toEqual(['EMAIL/SKIPPED/Email about outages turned off by the customer']);
    expect(rowsA.map((r) => r.channel).sort()).toEqual(['EMAIL', 'SMS']);
    await play('outage.updated', outage, { ...facts(outage.state), body: 'Crew on site, splicing.', eta: new Date(clock.getTime() + 3 * 3600_000).toISOString() });
    await planned(a.id, 3);
    advance(WINDOW);
    await sender.runOnce();
    const before = texts.length;
    outage.state = { ...outage.state, status: 'RESOLVED' };
    await play('ticket.statusChanged', outage, { ...facts(outage.state), from: 'OPEN', to: 'RESOLVED', note: null, change: 1 });
    await play('ticket.statusChanged', outage, { ...facts(outage.state), from: 'IN_PROGRESS', to: 'RESOLVED', note: null, change: 3 });
    await expect.poll(() => running.models.Notification.countDocuments({ customerId: a.id, kind: 'outage-resolved' }), { timeout: 10_000 }).toBe(3);
    advance(WINDOW);
    await sender.runOnce();
    expect(texts.slice(before).filter((t) => t.to === '+15554010001')).toHaveLength(1);
    const mails = await mailTo((await running.models.Customer.findById(a.id).lean())!.email!);
    expect(mails.map((m) => m.subject)).toEqual(['Service restored: Fibre cut near the tower', expect.stringMatching(/^Outage update: /)]);
    expect(mails[1]!.text).toContain('Crew on site, splicing.');
    expect(await mailTo((await running.models.Customer.findById(b.id).lean())!.email!)).toEqual([]);
  });

  it('sends a message exactly once when its sender dies after handing it over', async () => {
    const { id } = await newCustomer('Crash Test', { email: `crash-${randomBytes(3).toString('hex')}@example.com` });
    const email = (await running.models.Customer.findById(id).lean())!.email!;
    const wo = { id: newId(), state: workOrderState(newId(), id) };
    await play('ticket.created', wo, facts(wo.state));
    await planned(id, 1);
    advance(WINDOW);
    let dies = true;
    const dying = createSender(
      {
        models: running.models,
        tenants: running.models.services.tenants,
        channels: {
          email: async (e) => {
            const queued = await outbox.queue(e);
            if (dies) throw new Error('process died after handing the email over');
            return { id: queued.email.id };
          },
          sms: null,
        },
        portalUrl: () => 'https://portal.valleyair.example',
        unsubscribe: () => null,
        log: createLogger('notify-test'),
      },
      { now: () => clock, leaseMs: 30_000 },
    );
    expect(await dying.runOnce()).toBe(0);
    expect(await mailTo(email)).toHaveLength(1);
    // The lease holds it from the other sender until it runs out; then the same message is sent, once.
    expect(await sender.runOnce()).toBe(0);
    advance(31_000);
    dies = false;
    expect(await sender.runOnce()).toBe(1);
    expect(await mailTo(email)).toHaveLength(1);
    expect((await running.models.Notification.findOne({ customerId: id }).lean())!.status).toBe('SENT');
  });

  it('keeps one customer\'s preferences theirs, refuses bad values, and honours a signed unsubscribe only', async () => {
    const a = await newCustomer('Pref A', { email: `pa-${randomBytes(3).toString('hex')}@example.com` });
    const b = await newCustomer('Pref B', { email: `pb-${randomBytes(3).toString('hex')}@example.com` });
    const bad = await callAs(running.url, a.identity, `mutation { updateMyNotificationPreferences(input: { timeZone: "Mars/Olympus", quietHours: { start: "25:00", end: "07:00" }, language: "xx" }) { ok errors { field } } }`);
    expect(bad.data?.updateMyNotificationPreferences).toEqual({ ok: false, errors: [{ field: 'language' }, { field: 'timeZone' }, { field: 'quietHours.start' }] });
    const noPhone = await callAs(running.url, a.identity, `mutation { updateMyNotificationPreferences(input: { smsEnabled: true }) { ok errors { field } } }`);
    expect(noPhone.data?.updateMyNotificationPreferences.errors).toEqual([{ field: 'smsEnabled' }]);
    await setPreferences(a.identity, { email: { tickets: false } });
    const Q = `query($id: ID!) { customer(id: $id) { notificationPreferences { email { tickets visits outages } effectiveTimeZone language } } }`;
    expect((await callAs(running.url, b.identity, Q, { id: b.id })).data?.customer.notificationPreferences).toEqual({ email: { tickets: true, visits: true, outages: true }, effectiveTimeZone: 'America/Chicago', language: 'en' });
    expect((await callAs(running.url, agent, Q, { id: a.id })).data?.customer.notificationPreferences.email.tickets).toBe(false);
    // Staff cannot set a customer's preferences; a forged or altered token turns nothing off.
    const staffTry = await callAs(running.url, agent, `mutation { updateMyNotificationPreferences(input: { emailEnabled: false }) { ok } }`);
    expect(staffTry.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    for (const token of ['nonsense', `${b.id}.OUTAGES.EMAIL.${'A'.repeat(32)}`]) {
      const r = await callAs(running.url, null, `mutation($t: String!) { unsubscribe(token: $t) { ok } }`, { t: token });
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const { signUnsubscribeToken } = await import('../src/notifications/unsubscribeToken.ts');
    const good = signUnsubscribeToken({ customerId: b.id, category: 'OUTAGES', channel: 'EMAIL' }, inject('identitySecret'));
    const altered = good.replace('OUTAGES', 'TICKETS');
    expect((await callAs(running.url, null, `mutation($t: String!) { unsubscribe(token: $t) { ok } }`, { t: altered })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const r = await callAs(running.url, null, `mutation($t: String!) { unsubscribe(token: $t) { ok category channel companyName } }`, { t: good });
    expect(r.data?.unsubscribe).toEqual({ ok: true, category: 'OUTAGES', channel: 'EMAIL', companyName: 'Valley Air Internet' });
    expect((await callAs(running.url, agent, Q, { id: b.id })).data?.customer.notificationPreferences.email).toEqual({ tickets: true, visits: true, outages: false });
    expect((await callAs(running.url, agent, Q, { id: a.id })).data?.customer.notificationPreferences.email).toEqual({ tickets: false, visits: true, outages: true });
  });
});
