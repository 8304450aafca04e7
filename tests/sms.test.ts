/**
 * Text messages: the Twilio adapter and the sender against a local stand-in for Twilio's REST API,
 * and customers' STOP, START and HELP replies and Twilio's delivery reports through the gateway,
 * signed as Twilio signs them.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, openSmsOutbox, type SmsOutbox, type StoredSms } from '@wisp/shared';
import { codes, emulatorIdToken } from '@wisp/shared/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startSmsSender } from '../subgraphs/customer/src/notifications/sms/smsSender.ts';
import { twilioProvider } from '../subgraphs/customer/src/notifications/sms/twilioProvider.ts';
import { twilioSignature } from '../subgraphs/customer/src/notifications/sms/twilioSignature.ts';
import { agent, api, createCustomer, eventually, gatewayUrl, newCustomer } from './portalAccounts.ts';

/** A number of this test's own (no other test's customer has it). */
const uniqueNumber = () => `+1${randomInt(2, 10)}${String(randomInt(0, 1e9)).padStart(9, '0')}`;

type Received = { path: string; authorization: string | undefined; contentType: string | undefined; form: URLSearchParams };

/** A stand-in for Twilio's Messages endpoint: records each request and answers as `answer` says. */
async function fakeTwilio(answer: (form: URLSearchParams, attempt: number) => { status: number; body: Record<string, unknown> }) {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  const server = createServer(async (req: IncomingMessage, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const form = new URLSearchParams(text);
    received.push({ path: req.url ?? '', authorization: req.headers.authorization, contentType: req.headers['content-type'], form });
    const to = form.get('To') ?? '';
    attempts.set(to, (attempts.get(to) ?? 0) + 1);
    const { status, body } = answer(form, attempts.get(to)!);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Posts a form to one of the gateway's SMS webhooks, signed with `token` (the run's Twilio auth token unless given). */
async function postWebhook(path: string, fields: Record<string, string>, { token = inject('twilioAuthToken'), sign = true } = {}) {
  const form = new URLSearchParams(fields);
  const signature = twilioSignature(token, `${inject('smsWebhookBase')}${path}`, form);
  const res = await fetch(new URL(path, gatewayUrl()), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(sign ? { 'x-twilio-signature': signature } : {}) },
    body: form.toString(),
  });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

/** A customer texting `body` to `to` (any number: the demo WISPs set no sender of their own). */
const inbound = (from: string, body: string, to = '+15557654321') => postWebhook('/inbound/sms', { From: from, To: to, Body: body, MessageSid: `SM${randomBytes(16).toString('hex')}`, AccountSid: 'ACtest' });

const SMS = `query ($to: String) { outboxSms(to: $to) { id to from body kind status createdAt } }`;
type Text = { to: string; from: string; body: string; kind: string; status: string; createdAt: string };
const textsTo = async (to: string, token: string): Promise<Text[]> => ((await api(SMS, { to }, token)).data?.outboxSms ?? []) as Text[];

const STOPPED = `query ($id: ID!) { customer(id: $id) { notificationPreferences { smsStopped } } }`;
const stopped = async (id: string) => (await api(STOPPED, { id }, await agent())).data?.customer.notificationPreferences.smsStopped as boolean;

async function customerWithPhone() {
  const phone = uniqueNumber();
  return { ...(await createCustomer(await agent(), { ...newCustomer(), phone })), phone };
}

describe('the Twilio adapter and the text sender', () => {
  let outbox: SmsOutbox;
  beforeAll(async () => {
    outbox = await openSmsOutbox({ uri: inject('mongoUri'), dbPrefix: `sms_${randomBytes(4).toString('hex')}` });
  });
  afterAll(async () => {
    await outbox.close();
  });

  it('signs like Twilio (its published example)', () => {
    const params: [string, string][] = Object.entries({ CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' });
    expect(twilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=2', params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('posts each text to the Messages API once, retries a 503 and marks a refusal failed', async () => {
    const [ok, bad, flaky, pooled] = [uniqueNumber(), uniqueNumber(), uniqueNumber(), uniqueNumber()];
    const twilio = await fakeTwilio((form, attempt) => {
      if (form.get('To') === bad) return { status: 400, body: { code: 21211, message: `The 'To' number ${bad} is not a valid phone number.`, more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 } };
      if (form.get('To') === flaky && attempt === 1) return { status: 503, body: { code: 20503, message: 'Service unavailable', status: 503 } };
      return { status: 201, body: { sid: `SM${randomBytes(16).toString('hex')}`, status: 'queued', to: form.get('To'), body: form.get('Body') } };
    });
    const accountSid = `AC${randomBytes(16).toString('hex')}`;
    const sender = startSmsSender(outbox, twilioProvider({ accountSid, authToken: 'secret-token', apiUrl: twilio.url }), createLogger('sms-test'), {
      pollMs: 50,
      retryBaseMs: 100,
      retryMaxMs: 200,
      statusCallbackUrl: 'https://api.isp.example/inbound/sms/status',
    });
    try {
      const ids: Record<string, string> = {};
      for (const [to, from] of [[ok, '+15550001111'], [bad, '+15550001111'], [flaky, 'Skyline'], [pooled, `MG${'a'.repeat(32)}`]] as const) {
        ids[to] = (await outbox.queue({ tenantId: 't-sms', to, from, body: `Your technician is on the way (${to})`, kind: 'notification-en-route' })).sms.id;
      }
      const settled = async () => {
        const rows = await Promise.all(Object.values(ids).map((id) => outbox.get(id)));
        return rows.every((r) => r && r.status !== 'PENDING') ? (rows as StoredSms[]) : null;
      };
      const [sent, refused, retried, viaService] = await eventually(settled);

      expect(sent).toMatchObject({ status: 'SENT', error: null });
      expect(sent!.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
      expect(refused).toMatchObject({ status: 'FAILED' });
      expect(refused!.providerMessageId ?? null).toBeNull();
      expect(refused!.error).toContain('21211');
      expect(retried).toMatchObject({ status: 'SENT', attempts: 1, error: null });
      expect(viaService!.status).toBe('SENT');

      // Twilio saw exactly one request per text, two for the one that met a 503, each as its API wants it.
      const to = (n: string) => twilio.received.filter((r) => r.form.get('To') === n);
      expect([to(ok).length, to(bad).length, to(flaky).length, to(pooled).length]).toEqual([1, 1, 2, 1]);
      for (const r of twilio.received) {
        expect(r.path).toBe(`/2010-04-01/Accounts/${accountSid}/Messages.json`);
        expect(r.authorization).toBe(`Basic ${Buffer.from(`${accountSid}:secret-token`).toString('base64')}`);
        expect(r.contentType).toBe('application/x-www-form-urlencoded');
        expect(r.form.get('StatusCallback')).toBe('https://api.isp.example/inbound/sms/status');
        expect(r.form.get('Body')).toBe(`Your technician is on the way (${r.form.get('To')})`);
      }
      expect(to(ok)[0]!.form.get('From')).toBe('+15550001111');
      expect(to(flaky)[1]!.form.get('From')).toBe('Skyline');
      // A messaging-service id is Twilio's MessagingServiceSid, not a From number.
      expect(to(pooled)[0]!.form.get('From')).toBeNull();
      expect(to(pooled)[0]!.form.get('MessagingServiceSid')).toBe(`MG${'a'.repeat(32)}`);

      // Delivery reports: delivered is final, a late failure report does not undo it.
      expect(await outbox.markStatus(sent!.providerMessageId!, 'DELIVERED')).toMatchObject({ id: sent!.id, status: 'DELIVERED' });
      expect(await outbox.markStatus(sent!.providerMessageId!, 'FAILED', 'Twilio error 30008')).toMatchObject({ status: 'DELIVERED' });
      expect(await outbox.markStatus('SMunknown', 'DELIVERED')).toBeNull();
    } finally {
      await sender.stop();
      await twilio.close();
    }
  });

  it('stores a text once per key and refuses a number that is not E.164', async () => {
    const to = uniqueNumber();
    const first = await outbox.queue({ tenantId: 't-sms', to, from: 'Skyline', body: 'Hello', kind: 'test', dedupeKey: `k-${to}` });
    const again = await outbox.queue({ tenantId: 't-sms', to, from: 'Skyline', body: 'Hello', kind: 'test', dedupeKey: `k-${to}` });
    expect([first.duplicate, again.duplicate, again.sms.id]).toEqual([false, true, first.sms.id]);
    await expect(outbox.queue({ tenantId: 't-sms', to: '555-0100', from: 'Skyline', body: 'Hello', kind: 'test' })).rejects.toThrow(/E\.164/);
  });
});

describe('replies to texts, through the gateway', () => {
  it('STOP stops texts to that customer and confirms once; START resumes them', async () => {
    const a = await customerWithPhone();
    const b = await customerWithPhone();
    const staff = await agent();
    const stop = { From: a.phone, To: '+15557654321', Body: '  stop please ', MessageSid: `SM${randomBytes(16).toString('hex')}` };

    const answer = await postWebhook('/inbound/sms', stop);
    expect(answer).toMatchObject({ status: 200, text: '<Response/>' });
    expect(answer.contentType).toMatch(/^text\/xml/);
    expect(await stopped(a.id)).toBe(true);
    // Twilio delivering the same webhook again changes and sends nothing more.
    expect((await postWebhook('/inbound/sms', stop)).status).toBe(200);
    const confirmations = (await textsTo(a.phone, staff)).filter((t) => t.kind === 'sms-stop-confirmation');
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]).toMatchObject({ to: a.phone, from: '+15557654321', status: 'PENDING', body: 'You will no longer receive texts from Skyline Wireless. Reply START to resubscribe.' });
    expect(Number.isNaN(Date.parse(confirmations[0]!.createdAt))).toBe(false);

    // Another customer's number is another customer.
    expect(await stopped(b.id)).toBe(false);
    expect(await textsTo(b.phone, staff)).toEqual([]);

    expect((await inbound(a.phone, 'START')).status).toBe(200);
    expect(await stopped(a.id)).toBe(false);
    const resumed = await eventually(async () => (await textsTo(a.phone, staff)).find((t) => t.kind === 'sms-start-confirmation'));
    expect(resumed.body).toBe('You will receive texts from Skyline Wireless again. Reply HELP for help, STOP to opt out.');
  });

  it('answers HELP with the WISP\'s name and support contact', async () => {
    const c = await customerWithPhone();
    expect((await inbound(c.phone, 'Help')).status).toBe(200);
    const [help] = (await textsTo(c.phone, await agent())).filter((t) => t.kind === 'sms-help');
    expect(help?.body).toBe('Skyline Wireless: for help call +1 555 0100 or email support@skyline.example. Reply STOP to opt out.');
    expect(await stopped(c.id)).toBe(false);
  });

  it('refuses a request without Twilio\'s signature, and changes nothing', async () => {
    const c = await customerWithPhone();
    const fields = { From: c.phone, To: '+15557654321', Body: 'STOP', MessageSid: `SM${randomBytes(16).toString('hex')}` };
    expect((await postWebhook('/inbound/sms', fields, { token: 'not-the-auth-token' })).status).toBe(403);
    expect((await postWebhook('/inbound/sms', fields, { sign: false })).status).toBe(403);
    expect((await postWebhook('/inbound/sms/status', { MessageSid: 'SMx', MessageStatus: 'delivered' }, { token: 'not-the-auth-token' })).status).toBe(403);
    expect(await stopped(c.id)).toBe(false);
    expect(await textsTo(c.phone, await agent())).toEqual([]);
  });

  it('ignores STOP from a number no customer has', async () => {
    const stranger = uniqueNumber();
    expect(await inbound(stranger, 'STOP')).toMatchObject({ status: 200, text: '<Response/>' });
    expect(await textsTo(stranger, await agent('skyline'))).toEqual([]);
    expect(await textsTo(stranger, await agent('prairie'))).toEqual([]);
  });

  it('marks a text DELIVERED, or UNDELIVERED with the error, when Twilio reports it', async () => {
    const outbox = await openSmsOutbox({ uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') });
    try {
      const [delivered, lost] = await Promise.all(
        [uniqueNumber(), uniqueNumber()].map(async (to) => {
          const { sms } = await outbox.queue({ tenantId: 't-status', to, from: '+15557654321', body: 'Outage over', kind: 'notification-outage-resolved' });
          const sid = `SM${randomBytes(16).toString('hex')}`;
          await outbox.markSent(sms.id, sid);
          return { id: sms.id, sid };
        }),
      );
      expect((await postWebhook('/inbound/sms/status', { MessageSid: delivered!.sid, MessageStatus: 'delivered', AccountSid: 'ACtest' })).status).toBe(204);
      expect((await postWebhook('/inbound/sms/status', { MessageSid: lost!.sid, MessageStatus: 'undelivered', ErrorCode: '30003', AccountSid: 'ACtest' })).status).toBe(204);
      const [d, l] = [await outbox.get(delivered!.id), await outbox.get(lost!.id)];
      expect(d).toMatchObject({ status: 'DELIVERED', providerMessageId: delivered!.sid });
      expect(d!.deliveredAt).toBeInstanceOf(Date);
      expect(l).toMatchObject({ status: 'UNDELIVERED', error: 'Twilio error 30003' });
    } finally {
      await outbox.close();
    }
  });

  it('shows texts to the tenant\'s staff only: not to customers, not to another WISP\'s staff', async () => {
    const c = await customerWithPhone();
    await inbound(c.phone, 'STOP');
    expect((await textsTo(c.phone, await agent('skyline'))).map((t) => t.kind)).toEqual(['sms-stop-confirmation']);
    expect(await textsTo(c.phone, await agent('prairie'))).toEqual([]);
    const customer = await api(SMS, { to: c.phone }, await emulatorIdToken('alice@skyline.example', 'skyline'));
    expect(codes(customer)).toEqual(['FORBIDDEN']);
  });
});
