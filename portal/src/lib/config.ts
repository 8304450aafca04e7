import { env } from '$env/dynamic/public';

/** Browser-visible settings, read from the environment the server was started with. */
export interface PublicConfig {
  /** GraphQL endpoint the browser talks to. @default 'http://127.0.0.1:4000/graphql' */
  gatewayUrl: string;
  /** @default 'demo-api-key' */
  firebaseApiKey: string;
  /** @default 'demo-wisp' */
  firebaseProjectId: string;
  /** @default '<projectId>.firebaseapp.com' */
  firebaseAuthDomain: string;
  /** Auth emulator origin, e.g. `http://127.0.0.1:9099`; empty in production. @default '' */
  firebaseAuthEmulatorUrl: string;
}

function setting(value: string | undefined, fallback: string): string {
  const trimmed = value?.trim();
  return trimmed ? trimmed : fallback;
}

export function publicConfig(): PublicConfig {
  const firebaseProjectId = setting(env.PUBLIC_FIREBASE_PROJECT_ID, 'demo-wisp');
  return {
    gatewayUrl: setting(env.PUBLIC_GATEWAY_URL, 'http://127.0.0.1:4000/graphql'),
    firebaseApiKey: setting(env.PUBLIC_FIREBASE_API_KEY, 'demo-api-key'),
    firebaseProjectId,
    firebaseAuthDomain: setting(env.PUBLIC_FIREBASE_AUTH_DOMAIN, `${firebaseProjectId}.firebaseapp.com`),
    firebaseAuthEmulatorUrl: env.PUBLIC_FIREBASE_AUTH_EMULATOR_URL?.trim() ?? '',
  };
}
