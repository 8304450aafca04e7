/** The header the gateway reads a passed second factor from. */
export const SECOND_FACTOR_HEADER = 'x-wisp-second-factor';
const KEY = 'wisp.secondFactor';

/**
 * The second-factor session this browser tab holds, as a request header. Kept in sessionStorage:
 * it ends with the tab, and the gateway checks it belongs to the signed-in login.
 */
export function secondFactorHeader(): Record<string, string> {
  if (typeof sessionStorage === 'undefined') return {};
  try {
    const stored = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as { token: string; expiresAt: string } | null;
    if (!stored || Date.parse(stored.expiresAt) <= Date.now()) return {};
    return { [SECOND_FACTOR_HEADER]: stored.token };
  } catch {
    return {};
  }
}

/** Keeps a second factor the portal's server already holds (it passed there) for this tab's own gateway calls too. */
export function keepSecondFactorInTab(session: { token: string; expiresAt: string }): void {
  if (typeof sessionStorage !== 'undefined') sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function forgetSecondFactor(): void {
  if (typeof sessionStorage !== 'undefined') sessionStorage.removeItem(KEY);
}
