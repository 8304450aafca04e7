/**
 * Customers answer ticket emails by email: the reply address names one ticket and one customer,
 * the mail provider posts the raw message to the gateway's `POST /inbound/email`, and the reply
 * lands in the conversation as that customer's message — or is refused, with nothing added.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openEventLog } from '@wisp/events';
import { connectMongo, replyAddress, signReplyToken } from '@wisp/shared';
import { emulatorIdToken, gql } from '@wisp/shared/testing';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { inboundEmailRoute } from '../subgraphs/messaging/src/inboundEmail/inboundEmailRoute.ts';
import { customerId } from './demo.ts';

const url = inject('gatewayUrl');
const base = url.replace(/\/graphql$/, '');
const reply = inject('reply');
const mongo = { uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') };
const aliceId = customerId('skyline', 'alice');
const bobId = customerId('skyline', 'bob');
let alice: string, bob: string, agent: string;
const events = await openEventLog(mongo);
// Read directly to prove a refusal left no half-stored file behind and was recorded.
const messagingDb = await connectMongo('messaging', mongo);

beforeAll(async () => {
  [alice, bob, agent] = await Promise.all([
    emulatorIdToken('alice@skyline.example', 'skyline'),
    emulatorIdToken('bob@skyline.example', 'skyline'),
    emulatorIdToken('agent@skyline.example', 'skyline'),
  ]);
});
afterAll(async () => {
  await events.close();
  await messagingDb.close();
});

// A real 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
// The first bytes of a Windows executable.
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);
const DAY = 86_400_000;

async function openTicket(token: string) {
  const r = await gql(
    url,
    `mutation($input: OpenTicketInput!) { openTicket(input: $input) { id number } }`,
    { input: { title: 'Radio keeps dropping', description: 'Since the storm.', category: 'NO_SERVICE', clientMutationId: randomUUID() } },
    { token },
  );
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.openTicket as { id: string; number: string };
}

const CONVERSATION = `query($id: ID!) { workOrder(id: $id) {
  messageCount attachments { id filename }
  messages(first: 100) { edges { node { id body authorKind authorName internal author { id } attachments { id filename contentType size url } } } }
} }`;

async function conversation(ticket: string, token: string) {
  const r = await gql(url, CONVERSATION, { id: ticket }, { token });
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  const wo = r.data!.workOrder;
  return { count: wo.messageCount as number, files: wo.attachments as { id: string }[], messages: wo.messages.edges.map((e: any) => e.node) as any[] };
}

/** What a refusal must leave: the ticket's conversation and files as they were, in the API and in the database. */
async function expectNothingAdded(ticket: string, before: Awaited<ReturnType<typeof conversation>>) {
  const after = await conversation(ticket, agent);
  expect(after.count).toBe(before.count);
  expect(after.messages.map((m) => m.id)).toEqual(before.messages.map((m) => m.id));
  expect(after.files).toEqual(before.files);
  const { Types } = await import('mongoose');
  expect(await messagingDb.db!.collection('attachments').countDocuments({ workOrderId: new Types.ObjectId(ticket) })).toBe(before.files.length);
}

const tokenFor = (workOrderId: string, customer: string, opts: { expiresAt?: Date; secret?: string } = {}) =>
  signReplyToken({ workOrderId, customerId: customer, expiresAt: opts.expiresAt ?? new Date(Date.now() + 30 * DAY) }, opts.secret ?? reply.tokenSecret);

const addressFor = (workOrderId: string, customer: string, opts: { expiresAt?: Date; secret?: string } = {}) => replyAddress(tokenFor(workOrderId, customer, opts), reply.domain);

/** A reply as a mail client writes it: the customer's words, the quoted message and a signature. */
function replyMail(to: string, overrides: Partial<Mail.Options> = {}): Mail.Options {
  return {
    from: 'Alice Nguyen <alice@skyline.example>',
    to: `"Skyline Support" <${to}>`,
    subject: 'Re: [SKY] Radio keeps dropping',
    messageId: `<${randomUUID()}@mail.example>`,
    text: [
      'The radio is back since this morning.',
      'I attached a photo of the mount, it looks loose.',
      '',
      'On Tue, Dec 1, 2026 at 10:00 AM Skyline Support <support@skyline.example> wrote:',
      '> We have scheduled a technician for Thursday.',
      '> Is the light on your radio green now?',
      '',
      '-- ',
      'Alice Nguyen',
      'Ridge Road 4, Valley',
    ].join('\n'),
    ...overrides,
  };
}

const build = (mail: Mail.Options) => new MailComposer(mail).compile().build();

/** One POST as a provider sends it, over plain node:http so an answer given mid-upload is still read. */
function post(
  body: Buffer | Buffer[],
  opts: { path?: string; headers?: Record<string, string>; secret?: string | null; basic?: boolean } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; json: any }> {
  const target = new URL(opts.path ?? '/inbound/email', base);
  const secret = opts.secret === undefined ? reply.inboundSecret : opts.secret;
  const headers: Record<string, string> = { 'content-type': 'message/rfc822', ...opts.headers };
  if (secret !== null) headers.authorization = opts.basic ? `Basic ${Buffer.from(`api:${secret}`).toString('base64')}` : `Bearer ${secret}`;
  const chunks = Array.isArray(body) ? body : [body];
  if (!Array.isArray(body)) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = request({ hostname: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: 'POST', headers }, (res) => {
      const got: Buffer[] = [];
      res.on('data', (c: Buffer) => got.push(c));
      res.on('end', () => {
        const text = Buffer.concat(got).toString('utf8');
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
      });
    });
    // Once answered, a failing write (the server refused early and closed) changes nothing.
    req.on('error', reject);
    (async () => {
      for (const chunk of chunks) {
        if (req.destroyed) return;
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
    })().catch(() => undefined);
  });
}

async function rejectionsFor(messageId: string) {
  return messagingDb.db!.collection('inbound_email_rejections').find({ messageId }).toArray();
}

/** A refused email: the answer, the stored record (headers, never the body), and nothing on the ticket. */
async function expectRefused(ticket: string, mail: Mail.Options, reason: string, send: (raw: Buffer) => ReturnType<typeof post> = (raw) => post(raw), status = 406) {
  const before = await conversation(ticket, agent);
  const res = await send(await build(mail));
  expect(res.json).toEqual({ accepted: false, reason });
  expect(res.status).toBe(status);
  await expectNothingAdded(ticket, before);
  const stored = await rejectionsFor(String(mail.messageId));
  expect(stored).toHaveLength(1);
  expect(stored[0]).toMatchObject({ reason, subject: mail.subject, messageId: mail.messageId });
  expect(stored[0]!.at).toBeInstanceOf(Date);
  expect(JSON.stringify(stored[0])).not.toContain('back since this morning');
  return stored[0]!;
}

describe('a customer replying to a ticket email', () => {
  it('adds exactly the reply text and the image to the conversation, as that customer', async () => {
    const t = await openTicket(alice);
    const before = await conversation(t.id, agent);
    const mail = replyMail(addressFor(t.id, aliceId), { attachments: [{ filename: 'mount.png', content: PNG, contentType: 'image/png' }] });
    const res = await post(await build(mail), { basic: true });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ accepted: true, messageId: expect.stringMatching(/^[0-9a-f]{24}$/) });
    const messageId = res.json.messageId as string;

    const expected = {
      id: messageId,
      body: 'The radio is back since this morning.\nI attached a photo of the mount, it looks loose.',
      authorKind: 'CUSTOMER',
      authorName: 'Alice Nguyen',
      internal: false,
      author: { id: aliceId },
    };
    const asCustomer = await conversation(t.id, alice);
    expect(asCustomer.messages.filter((m) => !before.messages.some((b) => b.id === m.id))).toEqual([
      { ...expected, attachments: [{ id: expect.any(String), filename: 'mount.png', contentType: 'image/png', size: PNG.length, url: expect.stringMatching(/^\/attachments\//) }] },
    ]);
    const asStaff = await conversation(t.id, agent);
    expect(asStaff.count).toBe(before.count + 1);
    const seen = asStaff.messages.find((m) => m.id === messageId);
    expect(seen).toMatchObject(expected);
    // The file is the customer's own image, downloadable by those who may see the ticket, and no one else.
    const file = seen.attachments[0];
    const download = (token: string) => fetch(`${base}${file.url}`, { headers: { authorization: `Bearer ${token}` } });
    const got = await download(alice);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await download(agent)).status).toBe(200);
    expect((await download(bob)).status).toBe(404);
    // Published as any customer message is, in the same write: staff alerts, webhooks and live updates follow.
    const { events: all } = await events.readAfter(0, 100_000);
    expect(all.filter((e) => e.entityId === messageId).map((e) => [e.type, e.payload])).toEqual([
      ['message.created', expect.objectContaining({ authorKind: 'CUSTOMER', internal: false, attachmentCount: 1, excerpt: expected.body })],
    ]);
  });

  it('takes the address in any letter case, and the words of an HTML-only reply without its quote', async () => {
    const t = await openTicket(alice);
    const mail = replyMail(addressFor(t.id, aliceId).toUpperCase(), {
      from: 'ALICE@SKYLINE.EXAMPLE',
      text: undefined,
      html: '<div>It is <b>working</b> again, thanks!</div><br><div class="gmail_quote">On Tue, Dec 1, 2026 Skyline Support wrote:<blockquote>Please restart the radio.</blockquote></div>',
    });
    const res = await post(await build(mail));
    expect(res.json).toMatchObject({ accepted: true });
    const { messages } = await conversation(t.id, alice);
    expect(messages.find((m) => m.id === res.json.messageId)).toMatchObject({ body: 'It is working again, thanks!', authorKind: 'CUSTOMER', attachments: [] });
  });

  it('strips an Outlook reply header and finds the address in the envelope a provider reports', async () => {
    const t = await openTicket(alice);
    const mail = replyMail('support@skyline.example', {
      text: 'Thursday suits me.\n\nFrom: Skyline Support\nSent: Tuesday, December 1, 2026 10:00 AM\nTo: Alice Nguyen\nSubject: RE: Radio keeps dropping\n\nWould Thursday work?',
    });
    // Postfix passing ${recipient} in the query string: its '+' arrives as a space and still counts.
    const res = await post(await build(mail), { path: `/inbound/email?recipient=${addressFor(t.id, aliceId)}` });
    expect(res.json).toMatchObject({ accepted: true });
    const { messages } = await conversation(t.id, alice);
    expect(messages.find((m) => m.id === res.json.messageId)?.body).toBe('Thursday suits me.');
  });

  it("takes Mailgun's and SendGrid's raw-MIME form posts", async () => {
    const t = await openTicket(alice);
    const form = (fields: Record<string, string | Buffer>) => {
      const boundary = `----wisp${randomUUID()}`;
      const parts = Object.entries(fields).map(([name, value]) =>
        Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`), Buffer.isBuffer(value) ? value : Buffer.from(value), Buffer.from('\r\n')]),
      );
      return { body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
    };
    const mailgun = form({ recipient: addressFor(t.id, aliceId), sender: 'alice@skyline.example', 'body-mime': await build(replyMail('support@skyline.example', { text: 'Sent through Mailgun.' })) });
    const viaMailgun = await post(mailgun.body, { path: '/inbound/email/mime', headers: mailgun.headers, basic: true });
    expect(viaMailgun.json).toMatchObject({ accepted: true });
    const sendgrid = form({ envelope: JSON.stringify({ to: [addressFor(t.id, aliceId)], from: 'alice@skyline.example' }), email: await build(replyMail('support@skyline.example', { text: 'Sent through SendGrid.' })) });
    const viaSendgrid = await post(sendgrid.body, { headers: sendgrid.headers, basic: true });
    expect(viaSendgrid.json).toMatchObject({ accepted: true });
    const bodies = (await conversation(t.id, alice)).messages.map((m) => m.body);
    expect(bodies).toEqual(expect.arrayContaining(['Sent through Mailgun.', 'Sent through SendGrid.']));
  });

  it('adds one message for the same Message-ID delivered twice, even at once', async () => {
    const t = await openTicket(alice);
    const before = await conversation(t.id, agent);
    const raw = await build(replyMail(addressFor(t.id, aliceId), { attachments: [{ filename: 'mount.png', content: PNG }] }));
    const [a, b] = await Promise.all([post(raw), post(raw)]);
    const again = await post(raw);
    for (const r of [a, b, again]) expect(r.status).toBe(200);
    const ids = new Set([a, b, again].map((r) => r.json.messageId));
    expect(ids.size).toBe(1);
    expect(again.json).toEqual({ accepted: true, messageId: a.json.messageId, duplicate: true });
    const after = await conversation(t.id, agent);
    expect(after.count).toBe(before.count + 1);
    // The losing delivery's copy of the file is gone: one file, on the one message.
    expect(after.files).toHaveLength(1);
    const { Types } = await import('mongoose');
    expect(await messagingDb.db!.collection('attachments').countDocuments({ workOrderId: new Types.ObjectId(t.id) })).toBe(1);
  });
});

describe('refused replies (406, recorded, nothing added)', () => {
  it('refuses a forged, an expired and a malformed reply address', async () => {
    const t = await openTicket(alice);
    await expectRefused(t.id, replyMail(addressFor(t.id, aliceId, { secret: 'not-the-installation-secret-but-as-long' })), 'forged-token');
    await expectRefused(t.id, replyMail(addressFor(t.id, aliceId, { expiresAt: new Date(Date.now() - 2 * DAY) })), 'expired-token');
    await expectRefused(t.id, replyMail(replyAddress(tokenFor(t.id, aliceId).slice(0, -3), reply.domain)), 'malformed-token');
    await expectRefused(t.id, replyMail('support@skyline.example'), 'no-reply-address');
  });

  it('refuses a valid address for a ticket the customer cannot see', async () => {
    const bobs = await openTicket(bob);
    const alices = await openTicket(alice);
    const alicesBefore = await conversation(alices.id, agent);
    // Signed by the installation, but naming Bob's ticket for Alice: she may not see it.
    const stored = await expectRefused(bobs.id, replyMail(addressFor(bobs.id, aliceId)), 'unknown-ticket');
    expect(String(stored.workOrderId)).toBe(bobs.id);
    await expectNothingAdded(alices.id, alicesBefore);
  });

  it('refuses a reply from another address than the customer’s', async () => {
    const t = await openTicket(alice);
    await expectRefused(t.id, replyMail(addressFor(t.id, aliceId), { from: 'Bob Martinez <bob@skyline.example>' }), 'wrong-sender');
    await expectRefused(t.id, replyMail(addressFor(t.id, aliceId), { from: '"alice@skyline.example" <mallory@evil.example>' }), 'wrong-sender');
    // Bob's own address and Bob's own customer id do not make Alice's ticket his.
    await expectRefused(t.id, replyMail(addressFor(t.id, bobId), { from: 'bob@skyline.example' }), 'unknown-ticket');
  });

  it('refuses a reply carrying an executable, and keeps none of its other files', async () => {
    const t = await openTicket(alice);
    const stored = await expectRefused(
      t.id,
      replyMail(addressFor(t.id, aliceId), {
        attachments: [
          { filename: 'mount.png', content: PNG },
          { filename: 'invoice.pdf.exe', content: EXE, contentType: 'application/octet-stream' },
        ],
      }),
      'attachment-not-allowed',
    );
    expect(stored.detail).toContain('invoice.pdf.exe');
  });

  it('refuses a reply with nothing in it but the quote', async () => {
    const t = await openTicket(alice);
    await expectRefused(t.id, replyMail(addressFor(t.id, aliceId), { text: '\n\nOn Tue, Dec 1, 2026 at 10:00 AM Skyline Support <support@skyline.example> wrote:\n> Is it working?\n' }), 'empty-reply');
  });

  it('refuses what is not a mail message', async () => {
    const t = await openTicket(alice);
    const before = await conversation(t.id, agent);
    const recorded = () => messagingDb.db!.collection('inbound_email_rejections').countDocuments({ reason: 'malformed-mime' });
    const first = await recorded();
    const garbage = [Buffer.from(`this is not an email at all, whatever ${addressFor(t.id, aliceId)} says`), Buffer.from([0, 1, 2, 255, 254, 10, 10, 7])];
    for (const body of garbage) {
      const res = await post(body);
      expect(res.status).toBe(406);
      expect(res.json).toEqual({ accepted: false, reason: 'malformed-mime' });
    }
    expect(await recorded()).toBe(first + garbage.length);
    await expectNothingAdded(t.id, before);
  });

  it('refuses a body over 25 MB with 413 before reading it all, declared or streamed', async () => {
    const t = await openTicket(alice);
    // The message's own headers stay readable at the start, so the refusal still says whom it was from.
    const declared = (raw: Buffer) => post(Buffer.concat([raw, Buffer.alloc(26 * 1024 * 1024, 0x61)]));
    const streamed = (raw: Buffer) => post([raw, ...Array.from({ length: 27 }, () => Buffer.alloc(1024 * 1024, 0x61))]);
    for (const send of [declared, streamed]) {
      const stored = await expectRefused(t.id, replyMail(addressFor(t.id, aliceId)), 'too-large', send, 413);
      expect(stored.from).toBe('alice@skyline.example');
    }
  });
});

describe('the inbound route itself', () => {
  it('answers 401 without the inbound secret, or with another, and keeps nothing', async () => {
    const t = await openTicket(alice);
    const before = await conversation(t.id, agent);
    const mail = replyMail(addressFor(t.id, aliceId));
    const raw = await build(mail);
    for (const attempt of [{ secret: null }, { secret: 'wrong-secret' }, { secret: `${reply.inboundSecret}x`, basic: true }, { secret: reply.inboundSecret.slice(1) }]) {
      const res = await post(raw, attempt);
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ accepted: false, reason: 'unauthorized' });
      expect(res.headers['www-authenticate']).toMatch(/^Basic /);
    }
    await expectNothingAdded(t.id, before);
    expect(await rejectionsFor(String(mail.messageId))).toEqual([]);
    expect((await fetch(`${base}/inbound/email`, { headers: { authorization: `Bearer ${reply.inboundSecret}` } })).status).toBe(405);
  });

  it('does not exist until reply-by-email is configured', async () => {
    const route = inboundEmailRoute({ models: {} as never, services: {} as never, log: { warn() {}, info() {} } as never, inboundSecret: null, replySecret: reply.tokenSecret });
    const server = createServer((req, res) => void route(req, res, new URL(req.url ?? '/', 'http://internal')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/inbound/email`, { method: 'POST', headers: { authorization: 'Bearer anything', 'content-type': 'message/rfc822' }, body: 'From: a@b.c\n\nhi' });
      expect(res.status).toBe(404);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
