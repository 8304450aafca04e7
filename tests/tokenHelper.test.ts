/** `npm run token`: an ID token for a local emulator login, and never for a real Firebase project. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { gql } from '@wisp/shared/testing';
import { describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const script = new URL('../scripts/token.ts', import.meta.url).pathname;
const tsx = new URL('../node_modules/.bin/tsx', import.meta.url).pathname;

describe('the token helper', () => {
  it('prints a token the gateway accepts for that login', async () => {
    const { stdout } = await run(tsx, [script, 'bob@prairie.example', '--tenant', 'prairie'], { env: { ...process.env } });
    const r = await gql(inject('gatewayUrl'), '{ viewer { role tenant { slug } customer { name } } }', {}, { token: stdout.trim() });
    expect(r.data!.viewer).toEqual({ role: 'CUSTOMER', tenant: { slug: 'prairie' }, customer: { name: 'Bob Okafor' } });
  });

  it('refuses to mint tokens for a real Firebase project', async () => {
    const err = await run(tsx, [script, 'bob@prairie.example', '--tenant', 'prairie'], {
      env: { ...process.env, FIREBASE_PROJECT_ID: 'acme-production' },
    }).catch((e: { code: number; stderr: string; stdout: string }) => e);
    expect(err).toMatchObject({ code: 1, stdout: '' });
    expect((err as { stderr: string }).stderr).toMatch(/only minted by the local Firebase Auth emulator/);
  });
});
