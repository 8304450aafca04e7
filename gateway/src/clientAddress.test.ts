import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { clientAddressOf, trustProxyFromEnv } from './clientAddress.ts';

const req = (remoteAddress: string, xff?: string | string[]) =>
  ({ socket: { remoteAddress }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as unknown as IncomingMessage;

describe('the client address used for rate limits', () => {
  it('ignores X-Forwarded-For unless proxies are trusted', () => {
    expect(clientAddressOf(req('10.0.0.5', '203.0.113.9'), 0)).toBe('10.0.0.5');
    expect(clientAddressOf(req('10.0.0.5'), 1)).toBe('10.0.0.5');
  });

  it('takes the right-most address the trusted proxies did not add, so a client cannot pick its own', () => {
    // One proxy: it appended what it saw (203.0.113.9); the client wrote the left-hand entry.
    expect(clientAddressOf(req('10.0.0.5', '198.51.100.66, 203.0.113.9'), 1)).toBe('203.0.113.9');
    expect(clientAddressOf(req('10.0.0.5', ['198.51.100.66', '203.0.113.9']), 1)).toBe('203.0.113.9');
    // Two proxies: the outer one's entry is the client, the inner one's is the outer proxy.
    expect(clientAddressOf(req('10.0.0.6', '198.51.100.66, 203.0.113.9, 10.0.0.5'), 2)).toBe('203.0.113.9');
    // Fewer entries than trusted hops: the left-most there is.
    expect(clientAddressOf(req('10.0.0.6', '203.0.113.9'), 3)).toBe('203.0.113.9');
  });

  describe('TRUST_PROXY', () => {
    const before = process.env.TRUST_PROXY;
    afterEach(() => {
      if (before === undefined) delete process.env.TRUST_PROXY;
      else process.env.TRUST_PROXY = before;
    });
    it('is a hop count, with true meaning one and anything else none', () => {
      for (const [value, hops] of [['2', 2], ['1', 1], ['true', 1], ['false', 0], ['', 0], ['-1', 0], ['lots', 0]] as const) {
        process.env.TRUST_PROXY = value;
        expect(trustProxyFromEnv(), value).toBe(hops);
      }
    });
  });
});
