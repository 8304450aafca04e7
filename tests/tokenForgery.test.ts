/**
 * Tokens as an attacker edits them. The Auth emulator signs nothing, so a token's body can say
 * anything: the gateway must take identity from the user record and tie the login's Firebase
 * tenant to the WISP its claims name, on HTTP, uploads, attachments and live updates alike.
 */
import { claimsFor, firebaseAuth, Role } from '@wisp/shared';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { createAuthenticator, createTokenVerifier } from '@wisp/gateway/auth';
import { authTenantIdFor, codes, emulatorIdToken, gql } from '@wisp/shared/testing';
import { LiveCloseCode } from '@wisp/gateway';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { customerId, tenantId } from './demo.ts';
import { liveClient, until } from './live.ts';

const url = inject('gatewayUrl');
let alice: string;

/** The same token with an edited body and no signature, as the emulator's own tokens are. */
const edited = (token: string, change: (payload: any) => void) => {
  const [, p] = token.split('.');
  const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
  change(payload);
  const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
  return `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
};

const closeOf = async (token: string) => {
  const c = liveClient(url, token);
  const s = c.subscribe('subscription { myWorkOrdersChanged { cursor kind } }');
  await until(() => c.received.closes.length > 0 || s.started.length > 0, 'the close or the subscription');
  await c.dispose();
  return c.received.closes[0]?.code ?? 'subscribed';
};

beforeAll(async () => {
  alice = await emulatorIdToken('alice@skyline.example', 'skyline');
});

describe('an edited emulator token', () => {
  const forgeries = () => ({
    'role raised to tenant admin': edited(alice, (p) => (p.role = 'TENANT_ADMIN')),
    'role raised to platform operator': edited(alice, (p) => (p.role = 'PLATFORM_OPERATOR')),
    "another customer's record": edited(alice, (p) => (p.customerId = customerId('skyline', 'bob'))),
    'another tenant': edited(alice, (p) => Object.assign(p, { tenantId: tenantId('prairie'), customerId: customerId('prairie', 'alice') })),
    'claims removed, role added': edited(alice, (p) => Object.assign(p, { role: 'AGENT', customerId: undefined })),
  });

  it('is the control case: the unedited token signs Alice in as herself', async () => {
    const r = await gql(url, '{ viewer { role customer { name } } }', {}, { token: alice });
    expect(r.data!.viewer).toEqual({ role: 'CUSTOMER', customer: { name: 'Alice Nguyen' } });
  });

  it('is refused over HTTP', async () => {
    for (const [what, token] of Object.entries(forgeries())) {
      const r = await gql(url, '{ viewer { role tenant { slug } customer { name } } }', {}, { token });
      expect(codes(r), what).toEqual(['UNAUTHENTICATED']);
      expect(r.status, what).toBe(401);
      expect(r.data?.viewer ?? null, what).toBeNull();
    }
  });

  it('moved to another Firebase tenant is refused', async () => {
    const prairie = await authTenantIdFor('prairie');
    const token = edited(alice, (p) => Object.assign(p, { firebase: { ...p.firebase, tenant: prairie }, tenantId: tenantId('prairie') }));
    const r = await gql(url, '{ viewer { role } }', {}, { token });
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
  });

  it('is refused on the live-updates socket', async () => {
    expect(await closeOf(alice)).toBe('subscribed');
    for (const [what, token] of Object.entries(forgeries())) expect(await closeOf(token), what).toBe(LiveCloseCode.Unauthenticated);
  });

  it('is refused for uploads and attachments', async () => {
    const admin = forgeries()['role raised to tenant admin'];
    const upload = await fetch(url.replace(/\/graphql$/, '/uploads/branding-asset'), { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'image/png' }, body: Buffer.from('x') });
    expect(upload.status).toBe(401);
    const attachment = await fetch(url.replace(/\/graphql$/, '/attachments/000000000000000000000000'), { headers: { authorization: `Bearer ${admin}` } });
    expect(attachment.status).toBe(401);
  });
});

describe('a login of one WISP with claims naming another', () => {
  let token: string;
  beforeAll(async () => {
    // Claims only the server could set, but naming the wrong WISP for the Firebase tenant the login lives in.
    const auth = firebaseAuth().tenantManager().authForTenant(await authTenantIdFor('skyline'));
    const email = `crossed-${Date.now()}@skyline.example`;
    const user = await auth.createUser({ email, password: 'secret-password', emailVerified: true });
    await auth.setCustomUserClaims(user.uid, { ...claimsFor({ role: Role.TENANT_ADMIN, tenantId: tenantId('prairie') }) });
    token = await emulatorIdToken(email, 'skyline');
  });

  it('is refused over HTTP', async () => {
    const r = await gql(url, '{ viewer { role tenant { slug } } }', {}, { token });
    expect(codes(r)).toEqual(['UNAUTHENTICATED']);
    expect(JSON.stringify(r.data ?? null)).not.toContain('prairie');
  });

  it('is refused on the live-updates socket', async () => {
    expect(await closeOf(token)).toBe(LiveCloseCode.Unauthenticated);
  });
});

describe('verification', () => {
  it('shares one lookup between concurrent requests with the same token', async () => {
    const verify = createTokenVerifier({ projectId: inject('projectId'), authTenantOf: async () => authTenantIdFor('skyline') });
    const [a, b] = [verify(alice), verify(alice)];
    expect(a).toBe(b);
    expect(await a).toMatchObject({ ok: true, identity: { role: 'CUSTOMER', customerId: customerId('skyline', 'alice') } });
  });

  it('reports Firebase out of reach as a retryable error, not as a bad token', async () => {
    const host = process.env.FIREBASE_AUTH_EMULATOR_HOST;
    // A port nothing listens on; firebase-admin reads the emulator address when an app's Auth is made.
    process.env.FIREBASE_AUTH_EMULATOR_HOST = '127.0.0.1:9';
    const app = initializeApp({ projectId: inject('projectId') }, `unreachable-${Date.now()}`);
    try {
      const authenticate = createAuthenticator(createTokenVerifier({ projectId: inject('projectId'), auth: getAuth(app), authTenantOf: async () => authTenantIdFor('skyline') }));
      const err = await authenticate(`Bearer ${alice}`).then(() => null, (e: unknown) => e as { message: string; extensions: Record<string, any> });
      expect(err?.extensions).toMatchObject({ code: 'INTERNAL', retryable: true, http: { status: 503 } });
      expect(err?.message).toMatch(/try again/);
    } finally {
      process.env.FIREBASE_AUTH_EMULATOR_HOST = host;
      await deleteApp(app);
    }
  });
});
