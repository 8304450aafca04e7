import { createHash } from 'node:crypto';

/**
 * A stable ObjectId for a demo record named `key`, so the seed is idempotent and every database
 * seeded from it agrees with the Firebase claims that name those ids. `at` sets the id's time
 * part, for records listed in id order (conversations, ticket lists).
 */
export function demoId(key: string, at?: Date): string {
  const hash = createHash('sha256').update(`wisp-demo:${key}`).digest('hex');
  if (!at) return hash.slice(0, 24);
  const seconds = Math.floor(at.getTime() / 1000).toString(16).padStart(8, '0');
  return `${seconds}${hash.slice(0, 16)}`;
}
