/** The one table of allowed status changes. Customers may only cancel their own open ticket. */
export const TRANSITIONS = {
  OPEN: ['IN_PROGRESS', 'WAITING_ON_CUSTOMER', 'SCHEDULED', 'RESOLVED', 'CANCELLED'],
  IN_PROGRESS: ['WAITING_ON_CUSTOMER', 'SCHEDULED', 'EN_ROUTE', 'RESOLVED', 'CANCELLED'],
  WAITING_ON_CUSTOMER: ['IN_PROGRESS', 'SCHEDULED', 'RESOLVED', 'CANCELLED'],
  SCHEDULED: ['IN_PROGRESS', 'EN_ROUTE', 'RESOLVED', 'CANCELLED'],
  EN_ROUTE: ['ON_SITE', 'SCHEDULED', 'IN_PROGRESS'],
  ON_SITE: ['IN_PROGRESS', 'RESOLVED'],
  RESOLVED: ['CLOSED', 'IN_PROGRESS'],
  CLOSED: [],
  CANCELLED: [],
} as const satisfies Record<string, readonly string[]>;

export type Status = keyof typeof TRANSITIONS;

export const CUSTOMER_TRANSITIONS: Partial<Record<Status, readonly Status[]>> = { OPEN: ['CANCELLED'] };

/** Statuses in which an outage still affects its customers. */
export const ACTIVE_STATUSES: Status[] = ['OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER', 'SCHEDULED', 'EN_ROUTE', 'ON_SITE'];

export function canTransition(from: string, to: string): boolean {
  return ((TRANSITIONS as Record<string, readonly string[]>)[from] ?? []).includes(to);
}

