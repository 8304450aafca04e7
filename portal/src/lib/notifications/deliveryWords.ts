import type { NotificationDelivery } from './notificationFields';

/** Who reads a delivery log: the customer it was sent to ("you"), or the WISP's staff. */
export type Audience = 'customer' | 'staff';

const KINDS: Record<string, string> = {
  'ticket-received': 'Ticket received',
  'staff-reply': 'Reply from support',
  'status-changed': 'Ticket status changed',
  'eta-changed': 'Technician on the way',
  'visit-scheduled': 'Visit scheduled',
  'visit-rescheduled': 'Visit moved',
  'visit-cancelled': 'Visit cancelled',
  'visit-reminder': 'Visit reminder',
  'visit-en-route': 'Technician on the way',
  'visit-on-site': 'Technician arrived',
  'maintenance-planned': 'Planned maintenance',
  'outage-created': 'Outage',
  'outage-updated': 'Outage update',
  'outage-resolved': 'Service restored',
  'callback-confirmed': 'Call-back confirmed',
};

/** "ticket-received" → "Ticket received"; a kind added later still reads as words. */
export function kindInWords(kind: string): string {
  const known = KINDS[kind];
  if (known) return known;
  const words = kind.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export const kindsInWords = (kinds: string[]) => kinds.map(kindInWords).join(', ');

export function channelInWords(channel: NotificationDelivery['channel'], audience: Audience): string {
  if (channel === 'EMAIL') return 'Email';
  return audience === 'customer' ? 'Text message' : 'SMS';
}

/** How times are written: in which zone (the reader's own when left out), for which locale (the reader's). */
export interface WordsOptions {
  timeZone?: string;
  locale?: string;
  now?: Date;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter({ timeZone, locale }: WordsOptions, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale ?? ''}|${timeZone ?? ''}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(locale, { timeZone, ...options });
    } catch {
      // A zone this browser does not know: the reader's own zone is the best remaining guess.
      f = new Intl.DateTimeFormat(locale, options);
    }
    formatters.set(key, f);
  }
  return f;
}

const TIME: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit' };
const DAY: Intl.DateTimeFormatOptions = { weekday: 'short', month: 'short', day: 'numeric' };
const dayOf = (d: Date, o: WordsOptions) => formatter(o, { year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
const yearOf = (d: Date, o: WordsOptions) => formatter(o, { year: 'numeric' }).format(d);

/**
 * A moment as people read it: "Wed, Dec 3, 12:55 PM", the year added when it is not this
 * year's. `short` leaves the day out when it is today: "8:00 AM".
 */
export function momentInWords(iso: string | null | undefined, options: WordsOptions & { short?: boolean } = {}): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const now = options.now ?? new Date();
  if (options.short && dayOf(at, options) === dayOf(now, options)) return formatter(options, TIME).format(at);
  const withYear = yearOf(at, options) === yearOf(now, options) ? {} : { year: 'numeric' as const };
  return formatter(options, { ...DAY, ...withYear, ...TIME }).format(at);
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * Why a message was held or not sent, for its reader. The server words reasons for staff
 * ("Email about outages turned off by the customer"); the customer reads them about themselves.
 */
export function reasonInWords(reason: string | null, audience: Audience): string {
  if (!reason) return audience === 'customer' ? 'turned off' : 'no reason recorded';
  if (audience === 'staff') return lowerFirst(reason.replace(/^The customer\b/, 'customer'));
  const own = reason
    .replace(/^The customer replied STOP$/, 'you replied STOP')
    .replace(/^The customer has not opted in to texts$/, 'text messages are turned off')
    .replace(/ by the customer$/, '');
  return lowerFirst(own);
}

export type Tone = 'done' | 'waiting' | 'off' | 'problem';

/**
 * Where a message stands, in a sentence: for a customer "Sent", "Held until 8:00 AM — quiet
 * hours", "Not sent — email about outages turned off"; for staff "Emailed 12:01 PM · sent",
 * "SMS held until 8:00 AM (quiet hours)", "Not sent: customer replied STOP".
 */
export function statusInWords(d: NotificationDelivery, audience: Audience, options: WordsOptions = {}): { text: string; tone: Tone } {
  const when = (iso: string | null) => momentInWords(iso, { ...options, short: true });
  const reason = reasonInWords(d.reason, audience);
  const channel = channelInWords(d.channel, audience);
  if (audience === 'customer') {
    switch (d.status) {
      case 'SENT':
        return { text: 'Sent', tone: 'done' };
      case 'DELIVERED':
        return { text: 'Delivered', tone: 'done' };
      case 'SCHEDULED':
        return { text: d.scheduledFor ? `Going out at ${when(d.scheduledFor)}` : 'Going out shortly', tone: 'waiting' };
      case 'DEFERRED':
        return { text: `Held until ${when(d.scheduledFor)} — ${reason}`, tone: 'waiting' };
      case 'SKIPPED':
        return { text: `Not sent — ${reason}`, tone: 'off' };
      case 'BOUNCED':
        return { text: 'Returned by your mail server', tone: 'problem' };
      case 'FAILED':
        return { text: `Not delivered — ${reason}`, tone: 'problem' };
    }
  }
  const verb = d.channel === 'EMAIL' ? 'Emailed' : 'Texted';
  switch (d.status) {
    case 'SENT':
    case 'DELIVERED':
      return { text: `${verb} ${when(d.sentAt)} · ${d.status === 'SENT' ? 'sent' : 'delivered'}`, tone: 'done' };
    case 'SCHEDULED':
      return { text: d.scheduledFor ? `${channel} going out at ${when(d.scheduledFor)}` : `${channel} waiting to be sent`, tone: 'waiting' };
    case 'DEFERRED':
      return { text: `${channel} held until ${when(d.scheduledFor)} (${reason})`, tone: 'waiting' };
    case 'SKIPPED':
      return { text: `Not sent: ${reason}`, tone: 'off' };
    case 'BOUNCED':
      return { text: `${verb} ${when(d.sentAt)} · bounced`, tone: 'problem' };
    case 'FAILED':
      return { text: d.sentAt ? `${verb} ${when(d.sentAt)} · failed: ${reason}` : `Not sent: ${reason}`, tone: 'problem' };
  }
}

/**
 * When a list showing `deliveries` should look again, in ms from now: shortly after the first
 * message due within ten minutes (one waiting to be grouped, or held briefly), else never (null).
 */
export function nextCheckIn(deliveries: NotificationDelivery[], now = Date.now()): number | null {
  const soonest = deliveries
    .filter((d) => d.status === 'SCHEDULED' || d.status === 'DEFERRED')
    .map((d) => (d.scheduledFor ? new Date(d.scheduledFor).getTime() : now))
    .filter((t) => !Number.isNaN(t) && t - now < 10 * 60_000)
    .sort((a, b) => a - b)[0];
  if (soonest === undefined) return null;
  // A second after it is due (the sender polls), never sooner than two seconds, never later than a minute.
  return Math.min(Math.max(soonest - now + 1000, 2000), 60_000);
}
