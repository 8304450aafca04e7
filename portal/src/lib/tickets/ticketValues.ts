/**
 * The values of a ticket's status, category and priority (the API's enums), and how they read:
 * words without a client library, so pages that show them need not load one.
 */
export const STATUSES = ['OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER', 'SCHEDULED', 'EN_ROUTE', 'ON_SITE', 'RESOLVED', 'CLOSED', 'CANCELLED'] as const;
export const CATEGORIES = ['NO_SERVICE', 'SLOW_SPEED', 'INTERMITTENT', 'EQUIPMENT', 'BILLING', 'INSTALLATION', 'RELOCATION', 'OTHER'] as const;
export const PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const;
export const TYPES = ['SUPPORT', 'OUTAGE', 'INSTALLATION', 'MAINTENANCE'] as const;

/** "WAITING_ON_CUSTOMER" → "Waiting on customer". */
export const label = (value: string) => value.charAt(0) + value.slice(1).toLowerCase().replace(/_/g, ' ');

export const formatTime = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '';
