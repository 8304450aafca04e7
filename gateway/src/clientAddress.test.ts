import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddressOf } from './clientAddress.ts';

const req = (remoteAddress: string, xff?: string) =>
  ({ socket: { remoteAddress }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as unknown as IncomingMessage;

describe('the client address used for rate limits', () => {
  it('ignores X-Forwarded-For unless a trusted proxy sets it, and then takes its first hop', () => {
    expect(clientAddressOf(req('10.0.0.5', '203.0.113.9'), false)).toBe('10.0.0.5');
    expect(clientAddressOf(req('10.0.0.5', '203.0.113.9, 10.0.0.1'), true)).toBe('203.0.113.9');
    expect(clientAddressOf(req('10.0.0.5'), true)).toBe('10.0.0.5');
  });
});
