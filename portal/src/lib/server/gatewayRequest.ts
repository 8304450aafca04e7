import { visitorHeaders } from './visitor';

/** The outcome of a GraphQL call: data, or why there is none. Expected failures are values. */
export type GatewayResult<T> =
  | { ok: true; data: T }
  | { ok: false; reason: 'unreachable' | 'http' | 'graphql' | 'malformed'; detail: string; code?: string; field?: string };

/** Options for {@link gatewayRequest}. */
export interface GatewayRequestOptions {
  /** The gateway's GraphQL endpoint. */
  url: string;
  /** Give up after this long. @default 5000 */
  timeoutMs?: number;
  /** Injected for tests. @default globalThis.fetch */
  fetch?: typeof fetch;
}

interface GraphQLResponseBody<T> {
  data?: T | null;
  errors?: { message?: string; extensions?: { code?: string; field?: string } }[];
}

/** Posts one GraphQL operation to the gateway without any caller identity. */
export async function gatewayRequest<T>(
  query: string,
  variables: Record<string, unknown>,
  options: GatewayRequestOptions,
): Promise<GatewayResult<T>> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...visitorHeaders() },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
  } catch (error) {
    return { ok: false, reason: 'unreachable', detail: error instanceof Error ? error.message : String(error) };
  }

  let body: GraphQLResponseBody<T>;
  try {
    body = (await response.json()) as GraphQLResponseBody<T>;
  } catch {
    return { ok: false, reason: response.ok ? 'malformed' : 'http', detail: `HTTP ${response.status}` };
  }

  if (body.errors?.length) {
    const first = body.errors[0];
    const code = first?.extensions?.code ?? 'UNKNOWN';
    const field = first?.extensions?.field;
    return { ok: false, reason: 'graphql', detail: `${code}: ${first?.message ?? ''}`, code, ...(field ? { field } : {}) };
  }
  if (!response.ok) return { ok: false, reason: 'http', detail: `HTTP ${response.status}` };
  if (!body.data) return { ok: false, reason: 'malformed', detail: 'response has no data' };
  return { ok: true, data: body.data };
}
