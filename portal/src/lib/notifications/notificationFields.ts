/** What a customer is sent and how they want it, as the customer subgraph answers it. */

export const CATEGORIES = ['tickets', 'visits', 'outages'] as const;
export type CategoryKey = (typeof CATEGORIES)[number];
export type CategorySwitches = Record<CategoryKey, boolean>;

/** The categories as customers read them, with what each covers. */
export const CATEGORY_NAMES: Record<CategoryKey, { name: string; covers: string }> = {
  tickets: { name: 'Tickets', covers: 'Received, replies, status changes, call-backs' },
  visits: { name: 'Visits', covers: 'Technician visits: booked, moved, reminders, on the way' },
  outages: { name: 'Outages', covers: 'Outages affecting your service, and when they end' },
};

export interface NotificationPreferences {
  emailEnabled: boolean;
  smsEnabled: boolean;
  email: CategorySwitches;
  sms: CategorySwitches;
  smsPhone: string | null;
  /** The customer replied STOP to a text: none go out until they turn texts on again. */
  smsStopped: boolean;
  language: string;
  /** Null: the WISP's time zone. */
  timeZone: string | null;
  effectiveTimeZone: string;
  quietHours: { start: string; end: string } | null;
  deferEmailInQuietHours: boolean;
}

export type DeliveryStatus = 'SCHEDULED' | 'DEFERRED' | 'SENT' | 'DELIVERED' | 'FAILED' | 'BOUNCED' | 'SKIPPED';

/** One message sent, held or not sent to a customer. */
export interface NotificationDelivery {
  id: string;
  channel: 'EMAIL' | 'SMS';
  category: 'TICKETS' | 'VISITS' | 'OUTAGES';
  kinds: string[];
  to: string | null;
  subject: string | null;
  status: DeliveryStatus;
  reason: string | null;
  scheduledFor: string | null;
  sentAt: string | null;
  createdAt: string;
  workOrderId: string | null;
}

const SWITCHES = `{ ${CATEGORIES.join(' ')} }`;
export const PREFERENCE_FIELDS = `emailEnabled smsEnabled email ${SWITCHES} sms ${SWITCHES} smsPhone smsStopped language timeZone effectiveTimeZone quietHours { start end } deferEmailInQuietHours`;
export const DELIVERY_FIELDS = 'id channel category kinds to subject status reason scheduledFor sentAt createdAt workOrderId';
