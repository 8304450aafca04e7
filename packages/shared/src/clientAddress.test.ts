import { describe, expect, it } from 'vitest';
import { CLIENT_ADDRESS_HEADER, IDENTITY_TS_HEADER, signClientAddressHeaders, signIdentityHeaders, verifyClientAddress } from './identity.ts';

const secret = 'a'.repeat(40);

describe('the signed client address', () => {
  it('is accepted only with the gateway’s signature, bound to a fresh identity timestamp', () => {
    const now = Date.now();
    const identity = signIdentityHeaders(null, secret, now);
    const signed = { ...identity, ...signClientAddressHeaders('203.0.113.7', secret, identity[IDENTITY_TS_HEADER]!) };
    expect(verifyClientAddress(new Headers(signed), secret, { now })).toBe('203.0.113.7');
    // A forged address, another secret, a replayed signature or a stale timestamp gives nothing.
    expect(verifyClientAddress(new Headers({ ...signed, [CLIENT_ADDRESS_HEADER]: Buffer.from('198.51.100.1').toString('base64url') }), secret, { now })).toBeNull();
    expect(verifyClientAddress(new Headers(signed), 'b'.repeat(40), { now })).toBeNull();
    expect(verifyClientAddress(new Headers({ ...signed, [IDENTITY_TS_HEADER]: String(now + 1) }), secret, { now })).toBeNull();
    expect(verifyClientAddress(new Headers(signed), secret, { now: now + 60_000 })).toBeNull();
    expect(verifyClientAddress(new Headers(identity), secret, { now })).toBeNull();
  });
});
