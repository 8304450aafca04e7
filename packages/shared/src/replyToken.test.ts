import { describe, expect, it } from 'vitest';
import { REPLY_TOKEN_LENGTH, replyAddress, replyTokenFromAddress, replyTokenSettingsFromEnv, signReplyToken, verifyReplyToken } from './replyToken.ts';

const secret = 'a-reply-token-secret-of-enough-length!';
const workOrderId = '65a1f0c2e4b0a1b2c3d4e5f6';
const customerId = '65a1f0c2e4b0a1b2c3d4e5f7';
const now = new Date('2026-12-03T12:00:00Z');
const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000);
const token = signReplyToken({ workOrderId, customerId, expiresAt: inDays(30) }, secret);

describe('reply tokens', () => {
  it('name the work order and the customer, and fit a 64-character local part in lowercase base32', () => {
    expect(token).toMatch(/^[a-z2-7]+$/);
    expect(token).toHaveLength(REPLY_TOKEN_LENGTH);
    const local = replyAddress(token, 'reply.example.net').split('@')[0]!;
    expect(local.length).toBeLessThanOrEqual(64);
    const check = verifyReplyToken(token, secret, now);
    expect(check).toEqual({ ok: true, facts: { workOrderId, customerId, expiresAt: new Date('2027-01-03T00:00:00Z') } });
  });

  it('survive an MTA upper- or lower-casing the address', () => {
    expect(verifyReplyToken(token.toUpperCase(), secret, now).ok).toBe(true);
    const mixed = [...token].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('');
    expect(verifyReplyToken(mixed, secret, now).ok).toBe(true);
  });

  it('refuse a changed character, another secret and a signature made for other ids', () => {
    for (let i = 0; i < token.length; i++) {
      const c = token[i] === 'a' ? 'b' : 'a';
      const changed = token.slice(0, i) + c + token.slice(i + 1);
      // The last character also carries two padding bits: some changes make it malformed instead.
      expect(verifyReplyToken(changed, secret, now)).toMatchObject({ ok: false, reason: expect.stringMatching(/^(bad-signature|malformed)$/) });
    }
    expect(verifyReplyToken(token, 'another-secret-of-at-least-32-chars!!', now)).toEqual({ ok: false, reason: 'bad-signature' });
    // Swapping the ids (a token for the other ticket with this signature) breaks the signature.
    const other = signReplyToken({ workOrderId: customerId, customerId: workOrderId, expiresAt: inDays(30) }, secret);
    const spliced = other.slice(0, 42) + token.slice(42);
    expect(verifyReplyToken(spliced, secret, now)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyReplyToken(other, secret, now)).toMatchObject({ ok: true, facts: { workOrderId: customerId, customerId: workOrderId } });
  });

  it('refuse truncated, lengthened, padded and foreign-alphabet tokens as malformed', () => {
    for (const bad of [token.slice(0, -1), `${token}a`, `${token.slice(0, -1)}=`, token.replace(/[a-z]/, '1'), '', 'x'.repeat(1000)]) {
      expect(verifyReplyToken(bad, secret, now)).toEqual({ ok: false, reason: 'malformed' });
    }
    // Non-zero padding bits in the last character: a second spelling of the same bytes.
    const last = token[token.length - 1]!;
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
    const twin = token.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
    expect(verifyReplyToken(twin, secret, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('expire at the UTC midnight after the signed time', () => {
    const t = signReplyToken({ workOrderId, customerId, expiresAt: new Date('2026-12-05T08:00:00Z') }, secret);
    expect(verifyReplyToken(t, secret, new Date('2026-12-05T23:59:59Z')).ok).toBe(true);
    expect(verifyReplyToken(t, secret, new Date('2026-12-06T00:00:00Z'))).toEqual({ ok: false, reason: 'expired' });
    const past = signReplyToken({ workOrderId, customerId, expiresAt: inDays(-2) }, secret);
    expect(verifyReplyToken(past, secret, now)).toEqual({ ok: false, reason: 'expired' });
  });

  it('are only made for 24-hex ids', () => {
    expect(() => signReplyToken({ workOrderId: 'nope', customerId, expiresAt: now }, secret)).toThrow(TypeError);
  });
});

describe('reply addresses', () => {
  it('are read from bare addresses and header values, in any case', () => {
    const address = replyAddress(token, 'reply.example.net');
    expect(address).toBe(`reply+${token}@reply.example.net`);
    expect(replyTokenFromAddress(address)).toBe(token);
    expect(replyTokenFromAddress(address.toUpperCase())).toBe(token);
    expect(replyTokenFromAddress(`"Skyline Support" <${address}>`)).toBe(token);
    expect(replyTokenFromAddress(`  <${address}>  `)).toBe(token);
    expect(replyTokenFromAddress(`mailto:${address}`)).toBe(token);
  });

  it('are null for other addresses', () => {
    for (const other of ['support@reply.example.net', `noreply+${token}@x.net`, 'reply+@x.net', `reply+${token}`, 'Reply <support@x.net>', '']) {
      expect(replyTokenFromAddress(other)).toBeNull();
    }
  });
});

describe('reply token settings', () => {
  it('leave reply-by-email off without a secret and refuse a short one', () => {
    expect(replyTokenSettingsFromEnv({})).toEqual({ secret: null, domain: 'reply.localhost', ttlDays: 30 });
    expect(() => replyTokenSettingsFromEnv({ REPLY_TOKEN_SECRET: 'short' })).toThrow(/at least 32/);
    expect(replyTokenSettingsFromEnv({ REPLY_TOKEN_SECRET: secret, REPLY_DOMAIN: 'Reply.Example.NET', REPLY_TOKEN_TTL_DAYS: '7' })).toEqual({ secret, domain: 'reply.example.net', ttlDays: 7 });
    expect(() => replyTokenSettingsFromEnv({ REPLY_TOKEN_TTL_DAYS: '0' })).toThrow(/REPLY_TOKEN_TTL_DAYS/);
    expect(() => replyTokenSettingsFromEnv({ REPLY_DOMAIN: 'not a domain' })).toThrow(/REPLY_DOMAIN/);
  });
});
