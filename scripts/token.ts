/**
 * Prints a Firebase ID token for a user of the local auth emulator:
 *   npm run token -- <email> [--tenant <slug>]
 * Use it as `Authorization: Bearer <token>` against the gateway. It refuses to run against a real
 * Firebase project.
 */
import { emulatorIdToken } from '@wisp/shared/testing';

const args = process.argv.slice(2);
const email = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--tenant');
const tenantFlag = args.indexOf('--tenant');
const tenant = tenantFlag >= 0 ? args[tenantFlag + 1] : undefined;

if (!email || (tenantFlag >= 0 && !tenant)) {
  process.stderr.write('usage: npm run token -- <email> [--tenant <slug>]\n');
  process.exit(2);
}
process.env.FIREBASE_AUTH_EMULATOR_HOST ??= `127.0.0.1:${process.env.AUTH_EMULATOR_PORT ?? 9099}`;

emulatorIdToken(email, tenant).then(
  (token) => process.stdout.write(`${token}\n`),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
