/** Helpers for tests of customers and portal logins: real emulator calls, as a browser would make them. */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { authTenantIdFor, emulatorIdToken, gql, type GqlResult } from '@wisp/shared/testing';
import { inject } from 'vitest';

export const gatewayUrl = () => inject('gatewayUrl');

/** A fresh suffix, so each test's customers and emails are its own on the shared demo stack. */
export const unique = () => randomBytes(4).toString('hex');

const staffTokens = new Map<string, string>();
/** An ID token for a demo staff login (cached: tokens last an hour). */
export async function staffToken(email: string, slug: string): Promise<string> {
  const key = `${slug}:${email}`;
  if (!staffTokens.has(key)) staffTokens.set(key, await emulatorIdToken(email, slug));
  return staffTokens.get(key)!;
}

export const agent = (slug = 'skyline') => staffToken(`agent@${slug}.example`, slug);
export const admin = (slug = 'skyline') => staffToken(`admin@${slug}.example`, slug);

/** Calls the gateway. */
export function api<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, token?: string) {
  return gql<T>(gatewayUrl(), query, variables, token ? { token } : {});
}

/** Calls the gateway from a chosen loopback source address (127.x.y.z), with extra headers. */
export function apiFrom<T = Record<string, any>>(
  localAddress: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GqlResult<T>> {
  const url = new URL(gatewayUrl());
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ...JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function emulator(path: string, body: Record<string, unknown>) {
  return fetch(`http://${inject('emulatorHost')}/identitytoolkit.googleapis.com/v1/${path}?key=demo-api-key`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(async (res) => ({ ok: res.ok, body: (await res.json()) as { idToken?: string; localId?: string; error?: { message?: string } } }));
}

/** Signs in with a password at one WISP, as the portal does; the emulator's error message when refused. */
export async function passwordSignIn(email: string, password: string, slug: string): Promise<{ token?: string; uid?: string; error?: string }> {
  const r = await emulator('accounts:signInWithPassword', { email, password, returnSecureToken: true, tenantId: await authTenantIdFor(slug) });
  return r.ok ? { token: r.body.idToken!, uid: r.body.localId! } : { error: r.body.error?.message ?? 'refused' };
}

/** Uses a set-password link's action code, as the portal's /set-password page does. */
export async function confirmPasswordReset(oobCode: string, newPassword: string, slug: string) {
  const r = await emulator('accounts:resetPassword', { oobCode, newPassword, tenantId: await authTenantIdFor(slug) });
  return r.ok ? { ok: true as const } : { ok: false as const, error: r.body.error?.message };
}

/** Self-registration the way any client could do it, bypassing the portal (no claims are set). */
export async function clientSideSignUp(email: string, password: string, slug: string) {
  const r = await emulator('accounts:signUp', { email, password, returnSecureToken: true, tenantId: await authTenantIdFor(slug) });
  return r.ok ? { token: r.body.idToken!, uid: r.body.localId! } : { error: r.body.error?.message };
}

export const CUSTOMER_FIELDS = `
  id accountNumber name email phone serviceStatus
  plan { name downMbps upMbps priceCents }
  equipment { model serial mac }
  contactPreferences { email sms }
  portalAccess { status email createdAt lastLoginAt revokedAt provisioningPending lastError }
`;

export const CREATE = `mutation ($input: CreateCustomerInput!, $cmid: String) {
  createCustomer(input: $input, clientMutationId: $cmid) { ok errors { field message } customer { ${CUSTOMER_FIELDS} } }
}`;

/** A valid new customer's input; `email` null for one without a login. */
export function newCustomer(prefix = 'SKY', email: string | null = `c-${unique()}@example.com`) {
  const n = unique();
  return {
    accountNumber: `${prefix}-T${n}`,
    name: `Test Customer ${n}`,
    ...(email ? { email } : {}),
    phone: `+1555${String(parseInt(n, 16) % 10_000_000).padStart(7, '0')}`,
    serviceAddress: '1 Test Road',
    site: 'Ridge Tower',
    sector: 'A',
    serviceStatus: 'ACTIVE',
    plan: { name: 'Valley 100', downMbps: 100, upMbps: 20, priceCents: 6900 },
    equipment: [{ model: 'Ubiquiti LiteBeam 5AC', serial: `LB5-${n}`, mac: '24:5A:4C:11:22:99' }],
  };
}

export async function createCustomer(token: string, input: Record<string, unknown>, cmid?: string) {
  const r = await api(CREATE, { input, cmid }, token);
  if (!r.data?.createCustomer?.ok) throw new Error(`createCustomer failed: ${JSON.stringify(r.errors ?? r.data)}`);
  return r.data.createCustomer.customer as { id: string; accountNumber: string; email: string; phone: string; name: string };
}

/** Waits for `check` to return a value (polls every 200 ms). */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const OUTBOX = `query ($to: String) { outboxEmails(to: $to) { id to subject text html kind status } }`;

/** The newest email of `kind` to `to`, once it is in the outbox. */
export async function mailTo(to: string, kind: string, slug = 'skyline') {
  const token = await agent(slug);
  return eventually(async () => {
    const r = await api(OUTBOX, { to }, token);
    return (r.data?.outboxEmails as { kind: string; text: string; html: string; subject: string }[] | undefined)?.find((e) => e.kind === kind);
  });
}

/** The action code of the set-password link in an email. */
export function oobCodeOf(text: string): { url: URL; oobCode: string } {
  const m = /(https?:\/\/\S+\/set-password\?\S+)/.exec(text);
  if (!m) throw new Error(`no set-password link in: ${text}`);
  const url = new URL(m[1]!);
  return { url, oobCode: url.searchParams.get('oobCode')! };
}
