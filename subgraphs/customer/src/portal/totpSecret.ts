import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Used only with the auth emulator (development, tests) when no key is configured. */
const DEVELOPMENT_KEY = 'development-only second factor key';

/**
 * The AES-256 key TOTP secrets are encrypted with at rest, from SECOND_FACTOR_KEY (any string; it
 * is hashed to 32 bytes). Required against a real Firebase project.
 */
export function secondFactorKey(): Buffer {
  const configured = process.env.SECOND_FACTOR_KEY?.trim();
  if (!configured && !process.env.FIREBASE_AUTH_EMULATOR_HOST) throw new Error('SECOND_FACTOR_KEY must be set outside development.');
  return createHash('sha256').update(configured || DEVELOPMENT_KEY).digest();
}

/** AES-256-GCM: `v1.<iv>.<tag>.<ciphertext>`, all base64url. */
export function encryptSecret(plain: string, key = secondFactorKey()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

export function decryptSecret(stored: string, key = secondFactorKey()): string {
  const [version, iv, tag, data] = stored.split('.');
  if (version !== 'v1' || !iv || !tag || !data) throw new Error('Unknown second factor secret format.');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
}
