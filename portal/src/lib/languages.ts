import { SUPPORTED_LANGUAGES } from '@wisp/shared/languages';

/** A language customers can be written to: its BCP 47 code and its own name. */
export interface NotificationLanguage {
  code: string;
  name: string;
}

/**
 * The languages notifications can be written in, as the platform ships them: the same list the
 * customer subgraph's `notificationLanguages` answers, for when that answer is not to hand.
 */
export const NOTIFICATION_LANGUAGES: readonly NotificationLanguage[] = SUPPORTED_LANGUAGES;

/** The IANA time zones this browser knows, UTC first (browsers leave it out of their own list). */
export function timeZoneNames(): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...known.filter((z) => z !== 'UTC')];
}
