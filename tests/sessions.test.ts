/**
 * Server-side sessions: the portal's server trades a fresh sign-in's ID token for a Firebase
 * session cookie at the gateway, then calls the graph with `Authorization: Session <cookie>`.
 * The cookie is checked like an ID token on every request (user record, tenant, revocation), and
 * an edited or misplaced one is refused.
 */
import { codes, gql } from '@wisp/shared/testing';
import { LiveCloseCode } from '@wisp/gateway';
import { afterAll, describe, expect, it } from 'vitest';
import { tenantId } from './demo.ts';
import { freshLogin, liveClient, until } from './live.ts';
import { DEMO_PASSWORD_DEFAULT } from '../scripts/demoData.ts';
import { gatewayUrl, passwordSignIn } from './portalAccounts.ts';

const sessionUrl = () => gatewayUrl().replace(/\/graphql$/, '/session');
const post = (body: unknown, contentType = 'application/json') =>
  fetch(sessionUrl(), { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const asSession = (cookie: string) => ({ headers: { authorization: `Session ${cookie}` } });
const VIEWER = `{ viewer { uid role tenant { slug } } }`;

async function signIn(email: string, slug: string) {
  const r = await passwordSignIn(email, process.env.DEMO_PASSWORD ?? DEMO_PASSWORD_DEFAULT, slug);
  if (!r.token) throw new Error(`sign-in failed: ${r.error}`);
  return r as { token: string; uid: string };
}

/** The JWT with its body edited (the emulator's tokens carry no signature to break). */
function edited(jwt: string, change: (body: Record<string, unknown>) => void): string {
  const [head, body, sig] = jwt.split('.');
  const payload = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8'));
  change(payload);
  return [head, Buffer.from(JSON.stringify(payload)).toString('base64url'), sig].join('.');
}

describe('server-side sessions', () => {
  it('trade a fresh sign-in for a session cookie that acts as that login', async () => {
    const alice = await signIn('alice@skyline.example', 'skyline');
    const res = await post({ idToken: alice.token });
    expect(res.status).toBe(200);
    const { sessionCookie, expiresAt } = (await res.json()) as { sessionCookie: string; expiresAt: string };
    expect(new Date(expiresAt).getTime() - Date.now()).toBeGreaterThan(4 * 24 * 3600_000);
    const r = await gql(gatewayUrl(), VIEWER, {}, asSession(sessionCookie));
    expect(r.errors).toBeUndefined();
    expect(r.data!.viewer).toEqual({ uid: alice.uid, role: 'CUSTOMER', tenant: { slug: 'skyline' } });
  });

  it('refuse a cookie whose body was edited, moved to another WISP, or presented as the other kind of credential', async () => {
    const alice = await signIn('alice@skyline.example', 'skyline');
    const cookie = ((await (await post({ idToken: alice.token })).json()) as { sessionCookie: string }).sessionCookie;
    const prairie = await signIn('alice@prairie.example', 'prairie');
    const prairieCookie = ((await (await post({ idToken: prairie.token })).json()) as { sessionCookie: string }).sessionCookie;
    const prairieTenant = JSON.parse(Buffer.from(prairieCookie.split('.')[1]!, 'base64url').toString('utf8')).firebase.tenant as string;

    const attacks: [string, string, string][] = [
      ['role raised', edited(cookie, (b) => (b.role = 'TENANT_ADMIN')), 'Session'],
      ['another uid', edited(cookie, (b) => ((b.sub = prairie.uid), (b.user_id = prairie.uid))), 'Session'],
      ['moved to the other WISP’s auth tenant', edited(cookie, (b) => ((b.firebase as Record<string, unknown>).tenant = prairieTenant)), 'Session'],
      ['an ID token presented as a session', alice.token, 'Session'],
      ['a session presented as an ID token', cookie, 'Bearer'],
      ['garbage', 'not-a-cookie', 'Session'],
    ];
    for (const [what, credential, scheme] of attacks) {
      const r = await gql(gatewayUrl(), VIEWER, {}, { headers: { authorization: `${scheme} ${credential}` } });
      expect(codes(r), what).toEqual(['UNAUTHENTICATED']);
    }
    // The untouched cookies still work, each as its own login.
    expect((await gql(gatewayUrl(), VIEWER, {}, asSession(prairieCookie))).data!.viewer.tenant.slug).toBe('prairie');
  });

  it('are only issued for a valid ID token, sent as JSON', async () => {
    const alice = await signIn('alice@skyline.example', 'skyline');
    expect((await post({ idToken: edited(alice.token, (b) => (b.role = 'AGENT')) })).status).toBe(401);
    expect((await post({ idToken: 'wisp_live_somekey' })).status).toBe(400);
    expect((await post({})).status).toBe(400);
    expect((await post('{not json')).status).toBe(400);
    expect((await post(`idToken=${alice.token}`, 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await fetch(sessionUrl())).status).toBe(405);
  });
});

describe('server-side sessions over live updates', () => {
  const clients: ReturnType<typeof liveClient>[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
  });
  const cookieOf = async (email: string, slug: string) => {
    const login = await signIn(email, slug);
    return ((await (await post({ idToken: login.token })).json()) as { sessionCookie: string }).sessionCookie;
  };
  /** Connects with `authorization` and subscribes; the opening payload, or the socket's close code. */
  const attempt = async (authorization: string) => {
    const c = liveClient(gatewayUrl(), null, authorization);
    clients.push(c);
    const s = c.subscribe('subscription { myWorkOrdersChanged { cursor kind } }');
    await until(() => s.started.length > 0 || c.received.closes.length > 0 || s.errors.length > 0, 'an answer over the socket');
    return { started: s.started.length, close: c.received.closes[0]?.code ?? null };
  };

  it('accept the session cookie as a connection credential, and refuse forged, moved and mislabelled ones', async () => {
    const cookie = await cookieOf('alice@skyline.example', 'skyline');
    const prairie = await signIn('alice@prairie.example', 'prairie');
    const prairieCookie = ((await (await post({ idToken: prairie.token })).json()) as { sessionCookie: string }).sessionCookie;
    const prairieTenant = JSON.parse(Buffer.from(prairieCookie.split('.')[1]!, 'base64url').toString('utf8')).firebase.tenant as string;

    expect(await attempt(`Session ${cookie}`)).toEqual({ started: 1, close: null });
    const attacks: [string, string][] = [
      ['role raised', `Session ${edited(cookie, (b) => (b.role = 'TENANT_ADMIN'))}`],
      ['another uid', `Session ${edited(cookie, (b) => ((b.sub = prairie.uid), (b.user_id = prairie.uid)))}`],
      ['moved to the other WISP’s auth tenant', `Session ${edited(cookie, (b) => ((b.firebase as Record<string, unknown>).tenant = prairieTenant))}`],
      ['another WISP’s customer claiming this tenant', `Session ${edited(prairieCookie, (b) => (b.tenantId = 'skyline'))}`],
      ['an ID token presented as a session', `Session ${prairie.token}`],
      ['a session presented as an ID token', `Bearer ${cookie}`],
      ['garbage', 'Session not-a-cookie'],
      ['no scheme', cookie],
    ];
    for (const [what, authorization] of attacks) {
      expect(await attempt(authorization), what).toEqual({ started: 0, close: LiveCloseCode.Unauthenticated });
    }
  });

  it('refuse a session cookie over live updates once its login is signed out everywhere', async () => {
    const me = await freshLogin('skyline', tenantId('skyline'));
    const cookie = ((await (await post({ idToken: me.token })).json()) as { sessionCookie: string }).sessionCookie;
    // Revocation is recorded to the second: the sign-in must be older than it.
    await new Promise((r) => setTimeout(r, 1100));
    await me.auth.revokeRefreshTokens(me.uid);
    expect(await attempt(`Session ${cookie}`)).toEqual({ started: 0, close: LiveCloseCode.Revoked });
  });
});
