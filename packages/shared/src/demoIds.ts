import { createHash } from 'node:crypto';

/**
 * A stable ObjectId for a demo record named `key`, so the seed is idempotent and every database
 * seeded from it agrees with the Firebase claims that name those ids.
 */
export function demoId(key: string): string {
  return createHash('sha256').update(`wisp-demo:${key}`).digest('hex').slice(0, 24);
}
