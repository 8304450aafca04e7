import type { Translator } from '$lib/i18n';

/** One outage or planned maintenance as the public status page receives it. */
export interface ServiceNotice {
  id: string;
  kind: 'OUTAGE' | 'PLANNED_MAINTENANCE';
  status: 'INVESTIGATING' | 'IDENTIFIED' | 'SCHEDULED' | 'RESOLVED';
  title: string;
  site: string | null;
  startedAt: string;
  eta: string | null;
  window: { start: string; end: string } | null;
  updates: { body: string; at: string }[];
  resolvedAt: string | null;
}

/** The page's data key: the page reloads it to stay live. */
export const STATUS_DEPENDENCY = 'portal:status';

export const STATUS_PAGE_QUERY = `query StatusPage($host: String!) {
  statusPage(host: $host) {
    timeZone
    notices { id kind status title site startedAt eta window { start end } updates { body at } resolvedAt }
  }
}`;

/** Notices grouped by site (sites in name order, `otherAreas` last), newest first within each. */
export function bySite(notices: ServiceNotice[], otherAreas = 'Other areas'): { site: string; notices: ServiceNotice[] }[] {
  const groups = new Map<string, ServiceNotice[]>();
  for (const n of notices) {
    const key = n.site ?? '';
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)))
    .map(([site, list]) => ({ site: site || otherAreas, notices: list }));
}

/** "Tue, Dec 9, 1:00 AM – 3:00 AM" (the end's day repeated only when it differs). */
export function windowInWords(window: { start: string; end: string }, i18n: Pick<Translator, 'moment'>, now?: Date | string): string {
  const start = i18n.moment(window.start, { now });
  const sameDay = i18n.moment(window.end, { now: window.start, short: true });
  return `${start} – ${sameDay}`;
}
