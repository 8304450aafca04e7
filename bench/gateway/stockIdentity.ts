/**
 * What a stock gateway needs to front these subgraphs: the caller's identity from a verified
 * Firebase ID token (revocation checked, the answer reused for 30 s per token like the project's
 * gateway does) and the signed identity headers every subgraph insists on.
 */
import { randomUUID } from 'node:crypto';
import { firebaseAuth, identityFromClaims, REQUEST_ID_HEADER, signIdentityHeaders, unauthenticated, type Identity, type SignedRequest } from '@wisp/shared';

const tenantOf = (token: string): string | undefined => {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { firebase?: { tenant?: string } };
    return payload.firebase?.tenant;
  } catch {
    return undefined;
  }
};

export function stockIdentity(projectId: string, secret: string) {
  const auth = firebaseAuth(projectId);
  const cache = new Map<string, { identity: Promise<Identity>; until: number }>();

  async function verify(token: string): Promise<Identity> {
    const tenant = tenantOf(token);
    const verifier = tenant ? auth.tenantManager().authForTenant(tenant) : auth;
    // Claims from the user record, as the project's gateway takes them (one lookup per token per 30 s).
    const [decoded, user] = await verifier
      .verifyIdToken(token)
      .then(async (d) => [d, await verifier.getUser(d.uid)] as const)
      .catch(() => {
        throw unauthenticated('The sign-in token is not valid.');
      });
    const r = identityFromClaims(user.uid, user.customClaims, decoded.firebase.tenant ?? null);
    if (!r.ok) throw unauthenticated(r.reason);
    return r.identity;
  }

  return {
    /** The identity behind an Authorization header; null without one. */
    async identify(authorization: string | null | undefined): Promise<Identity | null> {
      const token = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
      if (!authorization) return null;
      if (!token) throw unauthenticated('The Authorization header must be "Bearer <token>".');
      const now = Date.now();
      const hit = cache.get(token);
      if (hit && hit.until > now) return hit.identity;
      const identity = verify(token);
      cache.set(token, { identity, until: now + 30_000 });
      identity.catch(() => cache.delete(token));
      return identity;
    },
    /** The headers a subgraph call carries: a fresh signature over that very request, as the project's gateway sends. */
    headers: (identity: Identity | null, request: SignedRequest, requestId: string = randomUUID()): Record<string, string> => ({
      ...signIdentityHeaders(identity, secret, request),
      [REQUEST_ID_HEADER]: requestId,
    }),
  };
}

/** The supergraph with its routing URLs pointed at the running subgraphs. */
export function withRoutingUrls(sdl: string, urls: Record<string, string>): string {
  return sdl.replace(/@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g, (whole, name: string) => (urls[name] ? `@join__graph(name: "${name}", url: "${urls[name]}")` : whole));
}
