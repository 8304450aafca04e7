import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { secondFactorHeader } from './portal/secondFactor';
import { accountHeader } from './portal/actingAccount';

/** Options for {@link createApolloClient}. */
export interface ApolloClientOptions {
  /** The gateway's GraphQL endpoint. */
  uri: string;
  /** The caller's current Firebase ID token, or null when signed out. Called once per request. */
  getIdToken: () => Promise<string | null>;
}

/**
 * An Apollo client for the gateway that sends the signed-in user's ID token with every request.
 * Firebase refreshes the token when it is close to expiry, so asking per request never sends a
 * stale one.
 */
export function createApolloClient(options: ApolloClientOptions): ApolloClient {
  const authLink = new SetContextLink(async (prevContext) => {
    const token = await options.getIdToken();
    return {
      headers: {
        ...prevContext.headers,
        ...(token ? { authorization: `Bearer ${token}`, ...secondFactorHeader(), ...accountHeader() } : {}),
      },
    };
  });
  const httpLink = new HttpLink({
    uri: options.uri,
    headers: { 'content-type': 'application/json' },
  });
  return new ApolloClient({
    link: ApolloLink.from([authLink, httpLink]),
    cache: new InMemoryCache(),
  });
}
