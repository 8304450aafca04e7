import { createTokenVerifier, type CredentialKind, type TokenCheck, type TokenFailure, type TokenVerifierOptions } from './auth.ts';

/** Why a long-lived connection's token is no longer good. */
export type SessionFailure = TokenFailure;

export type SessionCheck = TokenCheck;

/**
 * Checks the Firebase ID token of a live-updates connection: at connect time and again
 * periodically while it stays open. Unlike a request, a connection outlives the moment its token
 * was checked, so the answer says whether the token expired or the login was revoked/disabled;
 * each becomes its own close code. The identity comes from the user record, as for requests.
 */
export function createSessionVerifier(options: TokenVerifierOptions) {
  return createTokenVerifier(options);
}
/**
 * Checks a live connection's credential: a Firebase ID token or API key (`bearer`, the default), or
 * a session cookie the gateway issued (`session`, the portal's server relaying a signed-in browser).
 */
export type SessionVerifier = (token: string, address?: string | null, kind?: CredentialKind) => Promise<SessionCheck>;
