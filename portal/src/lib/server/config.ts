import { env } from '$env/dynamic/private';

/** Server-only settings, read from the environment at request time. */
export interface ServerConfig {
  /** GraphQL endpoint the portal server calls. @default 'http://127.0.0.1:4000/graphql' */
  gatewayUrl: string;
}

export function serverConfig(): ServerConfig {
  return {
    gatewayUrl: env.GATEWAY_URL?.trim() || 'http://127.0.0.1:4000/graphql',
  };
}
