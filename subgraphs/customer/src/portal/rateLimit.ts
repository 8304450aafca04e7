import type { Models } from '../models/index.ts';

/** A limit: at most `max` attempts per `windowMs`. */
export interface Limit {
  max: number;
  windowMs: number;
}

/** Sign-up attempts per customer account (account number or invite code). @default 5 per 15 minutes */
export const SIGNUP_PER_ACCOUNT: Limit = { max: 5, windowMs: 15 * 60_000 };
/** Sign-up attempts per client address, whatever account they name. @default 20 per 15 minutes */
export const SIGNUP_PER_CLIENT: Limit = { max: 20, windowMs: 15 * 60_000 };

let lastSweep = 0;

/**
 * Records an attempt under `key` and says whether it is within the limit. Every attempt counts,
 * refused ones too, so hammering a limit keeps it closed. Expired rows are swept at most once a
 * minute (the embedded database has no TTL indexes).
 */
export async function hit(models: Pick<Models, 'RateLimitHit'>, key: string, limit: Limit, now = new Date()): Promise<boolean> {
  await models.RateLimitHit.create({ key, at: now });
  const since = new Date(now.getTime() - limit.windowMs);
  const count = await models.RateLimitHit.countDocuments({ key, at: { $gt: since } });
  if (now.getTime() - lastSweep > 60_000) {
    lastSweep = now.getTime();
    // The longest window in use bounds how long a row matters.
    const longest = Math.max(SIGNUP_PER_ACCOUNT.windowMs, SIGNUP_PER_CLIENT.windowMs);
    void models.RateLimitHit.deleteMany({ at: { $lt: new Date(now.getTime() - longest) } }).catch(() => undefined);
  }
  return count <= limit.max;
}
