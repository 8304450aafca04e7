import { describe, expect, it } from 'vitest';
import { CLIENT_ADDRESS_HEADER, IDENTITY_HEADER, IDENTITY_NONCE_HEADER, IDENTITY_TS_HEADER, NonceStore, signIdentityHeaders, verifyIdentityHeaders, type Identity, type SignedRequest } from './identity.ts';

const secret = 's'.repeat(40);
const agent: Identity = { uid: 'u1', role: 'AGENT', tenantId: 't1' };
const req: SignedRequest = { method: 'POST', path: '/graphql', body: '{"query":"{ viewer { uid } }"}' };
const verify = (headers: Record<string, string>, request = req, opts: { now?: number; nonces?: NonceStore } = {}) =>
  verifyIdentityHeaders(headers, secret, request, { nonces: new NonceStore(), ...opts });

describe('signed identity headers', () => {
  it('round-trips an identity, an anonymous caller and the client address', () => {
    expect(verify(signIdentityHeaders(agent, secret, req))).toEqual({ ok: true, identity: agent, clientAddress: null });
    expect(verify(signIdentityHeaders(null, secret, req))).toEqual({ ok: true, identity: null, clientAddress: null });
    expect(verify(signIdentityHeaders(null, secret, req, { clientAddress: '203.0.113.7' }))).toMatchObject({ ok: true, clientAddress: '203.0.113.7' });
  });

  it('says why it refuses', () => {
    expect(verify({})).toEqual({ ok: false, reason: 'missing' });
    expect(verify(signIdentityHeaders(agent, 'x'.repeat(40), req))).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verify(signIdentityHeaders(agent, secret, req, { now: Date.now() - 31_000 }))).toEqual({ ok: false, reason: 'stale' });
    expect(verify(signIdentityHeaders(agent, secret, req, { now: Date.now() + 31_000 }))).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses a role the platform does not know, even when signed', () => {
    expect(verify(signIdentityHeaders({ ...agent, role: 'ROOT' as never }, secret, req))).toEqual({ ok: false, reason: 'malformed' });
  });

  it('binds the signature to the payload, the client address and the timestamp', () => {
    const h = signIdentityHeaders(agent, secret, req, { clientAddress: '203.0.113.7' });
    const other = signIdentityHeaders({ ...agent, tenantId: 't2' }, secret, req);
    expect(verify({ ...h, [IDENTITY_HEADER]: other[IDENTITY_HEADER]! }).ok).toBe(false);
    expect(verify({ ...h, [CLIENT_ADDRESS_HEADER]: Buffer.from('198.51.100.1').toString('base64url') }).ok).toBe(false);
    expect(verify({ ...h, [IDENTITY_TS_HEADER]: String(Date.now() + 1) }).ok).toBe(false);
    expect(verify({ ...h, [IDENTITY_NONCE_HEADER]: 'another-nonce' }).ok).toBe(false);
  });

  it('binds the signature to the method, path and body of the request', () => {
    const h = signIdentityHeaders(agent, secret, req);
    expect(verify(h, { ...req, body: '{"query":"mutation { deleteEverything }"}' })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verify(h, { ...req, path: '/internal/assets' })).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verify(h, { ...req, method: 'GET' })).toEqual({ ok: false, reason: 'bad-signature' });
    const upload = signIdentityHeaders(agent, secret, { method: 'POST', path: '/attachments', body: { streamedLength: 10 } });
    expect(verify(upload, { method: 'POST', path: '/attachments', body: { streamedLength: '10' } }).ok).toBe(true);
    expect(verify(upload, { method: 'POST', path: '/attachments', body: { streamedLength: '99999' } }).ok).toBe(false);
  });

  it('accepts a header set once: a replay within the freshness window is refused', () => {
    const nonces = new NonceStore();
    const h = signIdentityHeaders(agent, secret, req);
    expect(verify(h, req, { nonces }).ok).toBe(true);
    expect(verify(h, req, { nonces })).toEqual({ ok: false, reason: 'replayed' });
    // A forged copy of the headers does not burn the nonce of a request still on its way.
    const fresh = signIdentityHeaders(agent, secret, req);
    expect(verify({ ...fresh, [IDENTITY_HEADER]: 'e30' }, req, { nonces }).ok).toBe(false);
    expect(verify(fresh, req, { nonces }).ok).toBe(true);
  });
});
