import { signIdentityHeaders, type Identity } from '../identity.ts';

/** A GraphQL response as a test sees it. */
export interface GqlResult<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** Posts one operation to a GraphQL endpoint the way a client would. */
export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  { token, headers = {} }: { token?: string; headers?: Record<string, string> } = {},
): Promise<GqlResult<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: { data?: T; errors?: GqlResult<T>['errors'] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`Not a GraphQL response (HTTP ${res.status}): ${text.slice(0, 200)}`);
  }
  return { status: res.status, ...body };
}

/** The error codes of a result, in order. */
export const codes = (r: GqlResult<unknown>) => (r.errors ?? []).map((e) => e.extensions?.code);

/**
 * Identity headers as the gateway would sign them for exactly this `gql(url, query, variables)`
 * call (same body bytes, path and method): for tests that talk to a subgraph directly.
 */
export function signedFor(identity: Identity | null, secret: string, url: string, query: string, variables: Record<string, unknown> = {}, opts: { now?: number } = {}) {
  const { pathname, search } = new URL(url);
  return signIdentityHeaders(identity, secret, { method: 'POST', path: `${pathname}${search}`, body: JSON.stringify({ query, variables }) }, opts);
}
