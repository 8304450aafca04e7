import type { Cookies } from '@sveltejs/kit';
import { serverConfig } from './config';
import { visitorHeaders } from './visitor';

/** The httpOnly cookie holding the Firebase session cookie the gateway issued. */
export const SESSION_COOKIE = 'wisp_session';
/** The httpOnly cookie holding this browser's passed second factor (see the gateway's second-factor gate). */
export const SECOND_FACTOR_COOKIE = 'wisp_second_factor';
const SECOND_FACTOR_HEADER = 'x-wisp-second-factor';
/** The httpOnly cookie naming which of the login's linked customer accounts the portal acts for. */
export const ACCOUNT_COOKIE = 'wisp_account';
const ACCOUNT_HEADER = 'x-wisp-account';
/** Customer ids are Mongo object ids; anything else in the cookie is ignored. */
const ACCOUNT_ID = /^[a-f0-9]{24}$/i;

/** What the portal's server knows of the browser's sign-in: the credentials it presents to the gateway. */
export interface ServerSession {
  cookie: string;
  secondFactor: string | null;
  /** The customer account chosen in the account switcher; null for the gateway's default (the login's own, else its oldest link). */
  account: string | null;
  /** Drops the chosen account (cookie included) once the gateway says the login is no longer linked to it. */
  forgetAccount: () => void;
}

const cookieOptions = (url: URL, maxAgeSeconds: number) => ({
  path: '/',
  httpOnly: true,
  // SameSite=Lax: sent on top-level navigations to the portal, never on other sites' requests.
  sameSite: 'lax' as const,
  secure: url.protocol === 'https:',
  maxAge: maxAgeSeconds,
});

/** The gateway's session route, beside its GraphQL endpoint. */
const sessionUrl = () => serverConfig().gatewayUrl.replace(/\/graphql\/?$/, '') + '/session';

export function readSession(cookies: Cookies): ServerSession | null {
  const cookie = cookies.get(SESSION_COOKIE);
  if (!cookie) return null;
  const chosen = cookies.get(ACCOUNT_COOKIE) ?? null;
  const session: ServerSession = {
    cookie,
    secondFactor: cookies.get(SECOND_FACTOR_COOKIE) ?? null,
    account: chosen && ACCOUNT_ID.test(chosen) ? chosen : null,
    forgetAccount: () => {
      if (session.account === null) return;
      session.account = null;
      try {
        cookies.delete(ACCOUNT_COOKIE, { path: '/' });
      } catch {
        // Asked after the response went out (a call nobody waits for): the next request drops it.
      }
    },
  };
  return session;
}

/**
 * Remembers the account the switcher chose, for as long as a session lasts at most. Whether the
 * login may act for it is the gateway's to say on every call, so a forged value gains nothing.
 */
export function chooseAccount(cookies: Cookies, url: URL, customerId: string): boolean {
  if (!ACCOUNT_ID.test(customerId)) return false;
  cookies.set(ACCOUNT_COOKIE, customerId, cookieOptions(url, 14 * 24 * 3600));
  return true;
}

/** The headers that make a gateway call the signed-in browser's, acting for its chosen account. */
export function sessionHeaders(session: ServerSession): Record<string, string> {
  return {
    authorization: `Session ${session.cookie}`,
    ...(session.secondFactor ? { [SECOND_FACTOR_HEADER]: session.secondFactor } : {}),
    ...(session.account ? { [ACCOUNT_HEADER]: session.account } : {}),
  };
}

/**
 * Trades a fresh sign-in's ID token for a session at the gateway and keeps it in an httpOnly
 * cookie. The answer says why not when the gateway refuses (an old sign-in, a bad token).
 */
export async function startSession(cookies: Cookies, url: URL, idToken: string): Promise<{ ok: true; expiresAt: string } | { ok: false; status: number; message: string }> {
  let res: Response;
  try {
    res = await fetch(sessionUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...visitorHeaders() },
      body: JSON.stringify({ idToken }),
      signal: AbortSignal.timeout(5000),
    });
  } catch {
    return { ok: false, status: 503, message: 'Sign-in could not be completed right now; try again in a moment.' };
  }
  const body = (await res.json().catch(() => null)) as { sessionCookie?: string; expiresAt?: string; errors?: { message?: string }[] } | null;
  if (!res.ok || !body?.sessionCookie || !body.expiresAt) {
    return { ok: false, status: res.status >= 500 ? 503 : 401, message: body?.errors?.[0]?.message ?? 'Sign-in could not be completed.' };
  }
  const seconds = Math.max(60, Math.floor((Date.parse(body.expiresAt) - Date.now()) / 1000));
  cookies.set(SESSION_COOKIE, body.sessionCookie, cookieOptions(url, seconds));
  return { ok: true, expiresAt: body.expiresAt };
}

export function rememberSecondFactor(cookies: Cookies, url: URL, token: string, expiresAt: string): void {
  const seconds = Math.floor((Date.parse(expiresAt) - Date.now()) / 1000);
  if (!(seconds > 0) || !/^[\w.-]{1,100}$/.test(token)) return;
  cookies.set(SECOND_FACTOR_COOKIE, token, cookieOptions(url, seconds));
}

/** Drops this browser's passed second factor (after two-step sign-in is turned off). */
export function forgetSecondFactor(cookies: Cookies): void {
  cookies.delete(SECOND_FACTOR_COOKIE, { path: '/' });
}

export function endSession(cookies: Cookies): void {
  cookies.delete(SESSION_COOKIE, { path: '/' });
  cookies.delete(SECOND_FACTOR_COOKIE, { path: '/' });
  // The next login on this browser starts at its own account, not the last one's choice.
  cookies.delete(ACCOUNT_COOKIE, { path: '/' });
}

/**
 * A plain HTTP call beside /graphql (uploads, a ticket's or an invoice's file) as the signed-in
 * browser. Like {@link sessionGraphql}, a chosen account the login is no longer linked to is
 * dropped and the call made once more for the login's default account.
 */
export async function fetchAsSession(session: ServerSession, url: string, init: Omit<RequestInit, 'headers'> & { headers?: Record<string, string> } = {}): Promise<Response> {
  const call = () => fetch(url, { ...init, headers: { ...init.headers, ...sessionHeaders(session), ...visitorHeaders() } });
  const sentFor = session.account;
  const res = await call();
  if (res.ok || !sentFor || res.status >= 500) return res;
  const body = (await res.clone().json().catch(() => null)) as GraphQLResponseBody<unknown> | null;
  if (body?.errors?.[0]?.extensions?.reason !== 'ACCOUNT_NOT_LINKED') return res;
  session.forgetAccount();
  return call();
}

interface GraphQLResponseBody<T> {
  data?: T | null;
  errors?: { message?: string; extensions?: { code?: string; field?: string; reason?: string; problems?: { field: string; message: string }[] } }[];
}

/**
 * A GraphQL call's outcome from a page's server load or action. `unauthenticated` means the
 * session is over (expired, revoked, signed out elsewhere); `code`, `field` and `why` come from
 * the first error's extensions; `problems` lists every field a refused input got wrong.
 */
export type SessionResult<T> =
  | { ok: true; data: T }
  | { ok: false; reason: 'unreachable' | 'http' | 'graphql' | 'malformed' | 'unauthenticated'; detail: string; code?: string; field?: string; why?: string; problems?: { field: string; message: string }[] };

/**
 * Calls the gateway as the signed-in browser: its session cookie as `Authorization: Session`,
 * its second factor beside it, and the account chosen in the switcher as `X-Wisp-Account`. The
 * gateway checks all three on every call, as for the browser's own.
 */
export async function sessionGraphql<T>(session: ServerSession | null, query: string, variables: Record<string, unknown> = {}): Promise<SessionResult<T>> {
  // A page's loads run side by side: each one that asked for the chosen account asks again
  // without it, even when another load already forgot it.
  const sentFor = session?.account ?? null;
  const r = await postGraphql<T>(session, query, variables);
  // The chosen account was unlinked (or the cookie names one the login never had): forget it and
  // ask once more for the login's default account, rather than failing every page.
  if (!r.ok && r.why === 'ACCOUNT_NOT_LINKED' && session && sentFor) {
    session.forgetAccount();
    return postGraphql<T>(session, query, variables);
  }
  return r;
}

async function postGraphql<T>(session: ServerSession | null, query: string, variables: Record<string, unknown>): Promise<SessionResult<T>> {
  let res: Response;
  try {
    res = await fetch(serverConfig().gatewayUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(session ? sessionHeaders(session) : {}),
        ...visitorHeaders(),
      },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    return { ok: false, reason: 'unreachable', detail: error instanceof Error ? error.message : String(error) };
  }
  const body = (await res.json().catch(() => null)) as GraphQLResponseBody<T> | null;
  if (!body) return { ok: false, reason: res.ok ? 'malformed' : 'http', detail: `HTTP ${res.status}` };
  const first = body.errors?.[0];
  if (first) {
    const code = first.extensions?.code ?? 'UNKNOWN';
    if (code === 'UNAUTHENTICATED') return { ok: false, reason: 'unauthenticated', detail: first.message ?? '', code };
    return { ok: false, reason: 'graphql', detail: first.message ?? code, code, field: first.extensions?.field, why: first.extensions?.reason, problems: first.extensions?.problems };
  }
  if (!body.data) return { ok: false, reason: 'malformed', detail: 'response has no data' };
  return { ok: true, data: body.data };
}
