import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { IncomingMessage } from 'node:http';
import { codedError, ErrorCode, signIdentityHeaders, type Identity, type Logger, Role } from '@wisp/shared';
import { GraphQLError, Kind, type DocumentNode, type SelectionSetNode } from './graphql.ts';

/** The header the portal sends its second-factor session token in. */
export const SECOND_FACTOR_HEADER = 'x-wisp-second-factor';

/** What a login still has to show. */
export interface SecondFactorState {
  required: boolean;
  satisfied: boolean;
}

/**
 * Root fields a login that must still show its second factor may use: the step itself, setting
 * up a factor its tenant requires, signing out, and what anonymous callers may use anyway.
 */
export const BEFORE_SECOND_FACTOR = new Set([
  '__typename',
  'accountSecurity',
  'verifySecondFactor',
  'beginTotpEnrolment',
  'confirmTotpEnrolment',
  'signOutEverywhere',
  'recordSignIn',
  'portalBranding',
  'statusPage',
  'tenant',
  'signInLockout',
  'reportSignInFailure',
  'requestPasswordReset',
  'verifyEmail',
]);

/** Options of {@link secondFactorGate}. */
export interface SecondFactorGateOptions {
  identitySecret: string;
  /** The customer subgraph's GraphQL URL (its /internal/second-factor route answers). */
  customerUrl: string;
  /** How long an answer is reused per login and token. @default 5 000 ms */
  ttlMs?: number;
  log: Logger;
}

/** Asks the customer subgraph, which owns second factors, what a login must show; answers are kept briefly. */
export function secondFactorGate(options: SecondFactorGateOptions) {
  const base = new URL('/internal/second-factor', options.customerUrl).href;
  const ttl = options.ttlMs ?? 5_000;
  const cache = new Map<string, { state: SecondFactorState; until: number }>();
  const secondFactorOf = async function secondFactorOf(identity: Identity | null, token: string | undefined): Promise<SecondFactorState | null> {
    // API keys are no login: a second factor is a person's.
    if (!identity?.tenantId || identity.role === Role.INTEGRATOR) return null;
    const key = `${identity.tenantId}:${identity.uid}:${identity.role}:${token ? createHash('sha256').update(token).digest('hex') : '-'}`;
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.until > now) return hit.state;
    const res = await fetch(base, {
      headers: { ...signIdentityHeaders(identity, options.identitySecret, { method: 'GET', path: new URL(base).pathname, body: { streamedLength: undefined } }), ...(token ? { [SECOND_FACTOR_HEADER]: token.slice(0, 100) } : {}) },
      signal: AbortSignal.timeout(5_000),
    }).catch((err: unknown) => {
      options.log.error('second factor lookup failed', { error: String(err) });
      return null;
    });
    const body = res?.ok ? ((await res.json().catch(() => null)) as SecondFactorState | null) : null;
    if (!body || typeof body.required !== 'boolean') {
      // Fail closed: without an answer nobody skips their second factor.
      throw new GraphQLError('Sign-in could not be checked just now; try again in a moment.', { extensions: { code: ErrorCode.INTERNAL, http: { status: 503 } } });
    }
    const state = { required: body.required, satisfied: !!body.satisfied };
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { state, until: now + ttl });
    return state;
  };
  /**
   * Drops what this gateway remembers of a login's (or, without a uid, a whole tenant's) second
   * factor, after a change to it passed through here: the next request asks again instead of
   * trusting an answer from before the change.
   */
  const forget = (tenantId: string, uid?: string) => {
    const prefix = uid ? `${tenantId}:${uid}:` : `${tenantId}:`;
    for (const key of cache.keys()) if (key.startsWith(prefix)) cache.delete(key);
  };
  return Object.assign(secondFactorOf, { forget });
}

/** Root fields that change what a login must show; the gate's answers for it are dropped after them. */
const FACTOR_CHANGES = new Set(['confirmTotpEnrolment', 'removeTotp', 'verifySecondFactor']);
const POLICY_CHANGES = new Set(['setStaffSecondFactorPolicy']);

/** The root field names an operation selects, through fragments. */
export function rootFields(document: DocumentNode, selectionSet: SelectionSetNode, seen = new Set<string>()): string[] {
  const names: string[] = [];
  for (const sel of selectionSet.selections) {
    if (sel.kind === Kind.FIELD) names.push(sel.name.value);
    else if (sel.kind === Kind.INLINE_FRAGMENT) names.push(...rootFields(document, sel.selectionSet, seen));
    else if (!seen.has(sel.name.value)) {
      seen.add(sel.name.value);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === sel.name.value);
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION) names.push(...rootFields(document, fragment.selectionSet, seen));
    }
  }
  return names;
}

/**
 * Refuses every operation beyond {@link BEFORE_SECOND_FACTOR} from a login that has a second
 * factor (or must have one) until this browser has passed it: FORBIDDEN, reason SECOND_FACTOR_REQUIRED.
 */
export function secondFactorPlugin<C extends { secondFactor?: SecondFactorState | null; identity?: Identity | null }>(
  gate?: { forget: (tenantId: string, uid?: string) => void },
): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operation, document }) {
          const who = contextValue.identity;
          if (!gate || !operation || !document || !who?.tenantId || operation.operation !== 'mutation') return;
          const fields = rootFields(document, operation.selectionSet);
          if (fields.some((f) => POLICY_CHANGES.has(f))) gate.forget(who.tenantId);
          else if (fields.some((f) => FACTOR_CHANGES.has(f))) gate.forget(who.tenantId, who.uid);
        },
        async didResolveOperation({ contextValue, operation, document }) {
          const state = contextValue.secondFactor;
          if (!state?.required || state.satisfied || !operation) return;
          const blocked = rootFields(document, operation.selectionSet).filter((f) => !BEFORE_SECOND_FACTOR.has(f));
          if (blocked.length) {
            throw new GraphQLError('Enter the code from your authenticator app to continue.', {
              extensions: { code: ErrorCode.FORBIDDEN, reason: 'SECOND_FACTOR_REQUIRED', http: { status: 403 } },
            });
          }
        },
      };
    },
  };
}

/**
 * Wraps an authenticator for the plain HTTP routes (uploads, attachments): a login that must still
 * show its second factor is FORBIDDEN there, like on /graphql.
 */
export function requiringSecondFactor(
  authenticate: (authorization: string | undefined) => Promise<Identity | null>,
  secondFactorOf: ReturnType<typeof secondFactorGate>,
  currentRequest: () => IncomingMessage | undefined,
) {
  return async (authorization: string | undefined): Promise<Identity | null> => {
    const identity = await authenticate(authorization);
    const marker = currentRequest()?.headers[SECOND_FACTOR_HEADER];
    const state = await secondFactorOf(identity, typeof marker === 'string' ? marker : undefined);
    if (state?.required && !state.satisfied) {
      throw codedError(ErrorCode.FORBIDDEN, 'Enter the code from your authenticator app to continue.', { reason: 'SECOND_FACTOR_REQUIRED', http: { status: 403 } });
    }
    return identity;
  };
}
