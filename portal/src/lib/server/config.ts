import { env } from '$env/dynamic/private';
import { publicConfig } from '$lib/config';

/** Server-only settings, read from the environment at request time. */
export interface ServerConfig {
  /** GraphQL endpoint the portal server calls. @default 'http://127.0.0.1:4000/graphql' */
  gatewayUrl: string;
  /**
   * Auth emulator origin as the portal's server reaches it (FIREBASE_AUTH_EMULATOR_HOST, e.g.
   * `auth-emulator:9099` inside Docker); else the browsers' PUBLIC_FIREBASE_AUTH_EMULATOR_URL.
   */
  firebaseAuthEmulatorUrl: string;
}

export function serverConfig(): ServerConfig {
  return {
    gatewayUrl: env.GATEWAY_URL?.trim() || 'http://127.0.0.1:4000/graphql',
    firebaseAuthEmulatorUrl: env.FIREBASE_AUTH_EMULATOR_HOST?.trim() ? `http://${env.FIREBASE_AUTH_EMULATOR_HOST.trim()}` : publicConfig().firebaseAuthEmulatorUrl,
  };
}
