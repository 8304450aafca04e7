import { describe, expect, it } from 'vitest';
import { CLIENT_ADDRESS_HEADER, CLIENT_ADDRESS_PROOF_HEADER, vouchedClientAddress, vouchForClientAddress } from './clientAddress.ts';

const SECRET = 'a-shared-secret-of-at-least-32-characters!';
const NOW = 1_800_000_000_000;

describe('a vouched client address', () => {
  it('is believed with the shared secret, for a minute', () => {
    const headers = vouchForClientAddress(SECRET, '203.0.113.7', NOW);
    expect(vouchedClientAddress(SECRET, headers, NOW)).toBe('203.0.113.7');
    expect(vouchedClientAddress(SECRET, headers, NOW + 59_000)).toBe('203.0.113.7');
    expect(vouchedClientAddress(SECRET, headers, NOW + 61_000)).toBeNull();
    expect(vouchedClientAddress(SECRET, vouchForClientAddress(SECRET, '::ffff:127.0.0.1', NOW), NOW)).toBe('::ffff:127.0.0.1');
  });

  it('is ignored when signed with another secret, changed, missing its proof, or without a secret at all', () => {
    const headers = vouchForClientAddress(SECRET, '203.0.113.7', NOW);
    expect(vouchedClientAddress('another-secret-of-at-least-32-characters!!', headers, NOW)).toBeNull();
    expect(vouchedClientAddress(SECRET, { ...headers, [CLIENT_ADDRESS_HEADER]: '203.0.113.8' }, NOW)).toBeNull();
    expect(vouchedClientAddress(SECRET, { [CLIENT_ADDRESS_HEADER]: '203.0.113.7' }, NOW)).toBeNull();
    expect(vouchedClientAddress(SECRET, { ...headers, [CLIENT_ADDRESS_PROOF_HEADER]: `${NOW}.` }, NOW)).toBeNull();
    expect(vouchedClientAddress(SECRET, { ...headers, [CLIENT_ADDRESS_PROOF_HEADER]: 'garbage' }, NOW)).toBeNull();
    expect(vouchedClientAddress(undefined, headers, NOW)).toBeNull();
    expect(vouchForClientAddress(undefined, '203.0.113.7', NOW)).toEqual({});
  });

  it('vouches only for what looks like an IP address', () => {
    expect(vouchForClientAddress(SECRET, 'evil.example, 1.2.3.4', NOW)).toEqual({});
    expect(vouchedClientAddress(SECRET, { [CLIENT_ADDRESS_HEADER]: 'x'.repeat(10), [CLIENT_ADDRESS_PROOF_HEADER]: `${NOW}.abc` }, NOW)).toBeNull();
  });
});
