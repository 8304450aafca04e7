import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createLogger, openOutbox, type Outbox } from '@wisp/shared';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { smtpTransport, startMailSender } from './mailer.ts';

/** A minimal SMTP server that accepts every message and keeps what it received. */
function smtpSink(): Promise<{ server: Server; port: number; messages: string[] }> {
  const messages: string[] = [];
  const server = createServer((socket) => {
    let data: string | null = null;
    let buffer = '';
    socket.write('220 sink ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let i;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (data !== null) {
          if (line === '.') {
            messages.push(data);
            data = null;
            socket.write('250 queued\r\n');
          } else data += `${line}\n`;
        } else if (/^(EHLO|HELO)/i.test(line)) socket.write('250 sink\r\n');
        else if (/^DATA/i.test(line)) {
          data = '';
          socket.write('354 go on\r\n');
        } else if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, messages })));
}

describe('the mail sender', () => {
  let outbox: Outbox;
  beforeAll(async () => {
    outbox = await openOutbox({ uri: inject('mongoUri'), dbPrefix: `mail_${randomBytes(4).toString('hex')}` });
  });
  afterAll(async () => {
    await outbox.close();
  });

  it('delivers pending mail over SMTP once, even with two senders, and marks failures', async () => {
    const sink = await smtpSink();
    try {
      const base = { tenantId: 't1', subject: 'Welcome', text: 'Hello there', html: '<p>Hello there</p>', kind: 'portal-welcome' };
      const { email } = await outbox.queue({ ...base, to: 'someone@example.com' });
      const log = createLogger('mail-test');
      const url = `smtp://127.0.0.1:${sink.port}`;
      const senders = [
        startMailSender(outbox, smtpTransport(url), log, { from: 'portal@skyline.example', pollMs: 50 }),
        startMailSender(outbox, smtpTransport(url), log, { from: 'portal@skyline.example', pollMs: 50 }),
      ];
      const until = Date.now() + 10_000;
      while ((await outbox.list({ tenantId: 't1' }))[0]?.status !== 'SENT' && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
      await Promise.all(senders.map((s) => s.stop()));
      expect((await outbox.list({ tenantId: 't1' })).map((e) => [e.id, e.status])).toEqual([[email.id, 'SENT']]);
      expect(sink.messages).toHaveLength(1);
      expect(sink.messages[0]).toContain('To: someone@example.com');
      expect(sink.messages[0]).toContain('Hello there');

      // A notification's sender, reply address and unsubscribe headers reach the mail server as given.
      await outbox.queue({
        ...base,
        tenantId: 't3',
        to: 'listed@example.com',
        from: '"Skyline Wireless" <help@skyline.example>',
        replyTo: 'reply+abc@reply.skyline.example',
        headers: { 'List-Unsubscribe': '<https://api.example/unsubscribe?token=t>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      });
      const third = startMailSender(outbox, smtpTransport(url), log, { from: 'portal@skyline.example', pollMs: 50 });
      const until3 = Date.now() + 10_000;
      while ((await outbox.list({ tenantId: 't3' }))[0]?.status !== 'SENT' && Date.now() < until3) await new Promise((r) => setTimeout(r, 50));
      await third.stop();
      const listed = sink.messages.find((m) => m.includes('To: listed@example.com'))!;
      expect(listed).toContain('From: Skyline Wireless <help@skyline.example>');
      expect(listed).toContain('Reply-To: reply+abc@reply.skyline.example');
      expect(listed).toContain('List-Unsubscribe: <https://api.example/unsubscribe?token=t>');
      expect(listed).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');

      // Nothing listens here: the email is marked failed with the reason.
      const closed = await smtpSink();
      const deadPort = closed.port;
      await new Promise((r) => closed.server.close(r));
      await outbox.queue({ ...base, tenantId: 't2', to: 'other@example.com' });
      const failing = startMailSender(outbox, smtpTransport(`smtp://127.0.0.1:${deadPort}`), log, { pollMs: 50 });
      const until2 = Date.now() + 10_000;
      while ((await outbox.list({ tenantId: 't2' }))[0]?.status !== 'FAILED' && Date.now() < until2) await new Promise((r) => setTimeout(r, 50));
      await failing.stop();
      expect((await outbox.list({ tenantId: 't2' }))[0]).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/ECONNREFUSED|connect/i) });
    } finally {
      sink.server.close();
    }
  });
});
