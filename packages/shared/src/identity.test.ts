import { describe, expect, it } from 'vitest';
import { signIdentityHeaders, verifyIdentityHeaders, IDENTITY_HEADER, type Identity } from './identity.ts';

const secret = 's'.repeat(40);
const agent: Identity = { uid: 'u1', role: 'AGENT', tenantId: 't1' };

describe('signed identity headers', () => {
  it('round-trips an identity and an anonymous caller', () => {
    expect(verifyIdentityHeaders(signIdentityHeaders(agent, secret), secret)).toEqual({ ok: true, identity: agent });
    expect(verifyIdentityHeaders(signIdentityHeaders(null, secret), secret)).toEqual({ ok: true, identity: null });
  });

  it('says why it refuses', () => {
    expect(verifyIdentityHeaders({}, secret)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyIdentityHeaders(signIdentityHeaders(agent, 'x'.repeat(40)), secret)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyIdentityHeaders(signIdentityHeaders(agent, secret, Date.now() - 31_000), secret)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyIdentityHeaders(signIdentityHeaders(agent, secret, Date.now() + 31_000), secret)).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses a role the platform does not know, even when signed', () => {
    const h = signIdentityHeaders({ ...agent, role: 'ROOT' as never }, secret);
    expect(verifyIdentityHeaders(h, secret)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('binds the signature to the payload', () => {
    const h = signIdentityHeaders(agent, secret);
    const other = signIdentityHeaders({ ...agent, tenantId: 't2' }, secret);
    expect(verifyIdentityHeaders({ ...h, [IDENTITY_HEADER]: other[IDENTITY_HEADER] }, secret).ok).toBe(false);
  });
});
