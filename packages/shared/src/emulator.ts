import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { freePort } from './net.ts';
import { spawnService } from './processes.ts';

export interface AuthEmulator {
  /** host:port, the value of FIREBASE_AUTH_EMULATOR_HOST. */
  host: string;
  projectId: string;
  stop: () => Promise<void>;
}

/**
 * Starts the Firebase Auth emulator (firebase-tools) on loopback. It keeps no state between runs:
 * demo users are written again by the seed step.
 */
export async function startAuthEmulator({ dir, port, projectId = 'demo-wisp' }: { dir: string; port?: number; projectId?: string }): Promise<AuthEmulator> {
  if (!projectId.startsWith('demo-')) throw new Error('The auth emulator is only started for demo- projects.');
  mkdirSync(dir, { recursive: true });
  const listen = port ?? (await freePort());
  const config = join(dir, 'firebase.json');
  // The emulator suite also opens a hub and a logging port (4400/4500 by default); a fixed port
  // collides with any other copy of the stack on the machine (tests beside `npm start`), so every
  // port is chosen here.
  const [hubPort, loggingPort] = [await freePort(), await freePort()];
  writeFileSync(
    config,
    JSON.stringify({
      emulators: {
        auth: { host: '127.0.0.1', port: listen },
        hub: { host: '127.0.0.1', port: hubPort },
        logging: { host: '127.0.0.1', port: loggingPort },
        ui: { enabled: false },
      },
    }),
  );
  const cli = createRequire(import.meta.url).resolve('firebase-tools/lib/bin/firebase.js');
  const child = spawnService(process.execPath, [cli, 'emulators:start', '--only', 'auth', '--project', projectId, '--config', config], {
    cwd: dir,
    logFile: join(dir, 'auth-emulator.log'),
    env: { ...process.env, FIREBASE_CLI_DISABLE_UPDATE_CHECK: 'true', NO_UPDATE_NOTIFIER: '1', CI: 'true' },
  });
  const host = `127.0.0.1:${listen}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`The auth emulator exited; see ${join(dir, 'auth-emulator.log')}`);
    try {
      const res = await fetch(`http://${host}/emulator/v1/projects/${projectId}/config`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(`The auth emulator did not start within 60 s; see ${join(dir, 'auth-emulator.log')}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { host, projectId, stop: child.stop };
}
