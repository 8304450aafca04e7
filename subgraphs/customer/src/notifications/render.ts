import type { LanguageCode } from '@wisp/shared';
import { renderBrandedEmail, type TenantInfo } from '@wisp/shared';
import { t } from './i18n.ts';
import type { MessageId } from './messages.ts';
import type { Category } from './preferences.ts';
import { formatTime, formatWhen, formatWindow } from './timeWords.ts';

/** One row of a message as the renderer needs it. */
export interface RenderedItem {
  kind: string;
  category: Category;
  workOrderId: string | null;
  facts: Record<string, unknown>;
}

export interface RenderContext {
  tenant: TenantInfo;
  customerName: string;
  language: LanguageCode;
  timeZone: string;
  /** The portal address of the WISP (its own domain). */
  portalUrl: string;
  /** The unsubscribe link for the message's category (email only). */
  unsubscribeUrl?: string | null;
}

const TOLD = new Set(['WAITING_ON_CUSTOMER', 'EN_ROUTE', 'RESOLVED', 'CLOSED']);
const statusWords = (l: RenderContext['language'], status: string) => t(l, TOLD.has(status) ? (`status.${status}` as MessageId) : 'status.OTHER');

const str = (v: unknown) => (typeof v === 'string' ? v : v == null ? '' : String(v));
const date = (v: unknown) => (typeof v === 'string' && v ? new Date(v) : null);

function linesOf(item: RenderedItem, ctx: RenderContext): { lines: string[]; quote?: string } {
  const { language: l, timeZone: tz } = ctx;
  const f = item.facts;
  const number = str(f.number);
  const title = str(f.title);
  const window = () => {
    const start = date(f.start);
    return start ? formatWindow(start, date(f.end), l, tz) : '';
  };
  switch (item.kind) {
    case 'ticket-received':
      return { lines: [t(l, 'ticket-received.line', { number, title })] };
    case 'staff-reply':
      return { lines: [t(l, 'staff-reply.line', { author: str(f.author) || ctx.tenant.branding.companyName, number })], quote: str(f.excerpt) };
    case 'status-changed':
      return { lines: [t(l, 'status-changed.line', { number, title, status: statusWords(l, str(f.status)) })] };
    case 'eta-changed': {
      const eta = date(f.eta);
      return { lines: eta ? [t(l, 'eta-changed.line', { eta: formatTime(eta, l, tz) })] : [] };
    }
    case 'visit-scheduled':
    case 'visit-rescheduled':
    case 'visit-reminder':
      return { lines: [t(l, `${item.kind}.line` as MessageId, { window: window(), number })] };
    case 'visit-cancelled':
      return { lines: [t(l, 'visit-cancelled.line', { number })] };
    case 'visit-en-route': {
      const eta = date(f.eta);
      return { lines: [t(l, 'visit-en-route.line', { eta: eta ? formatTime(eta, l, tz) : '' })] };
    }
    case 'visit-on-site':
      return { lines: [t(l, 'visit-on-site.line', { number })] };
    case 'maintenance-planned':
      return { lines: [t(l, 'maintenance-planned.line', { title, window: window() })] };
    case 'outage-created':
    case 'outage-resolved':
      return { lines: [t(l, `${item.kind}.line` as MessageId, { title })] };
    case 'outage-updated': {
      const eta = date(f.eta);
      return { lines: [t(l, 'outage-updated.line', { title, body: str(f.body) }), ...(eta ? [t(l, 'outage-eta.line', { eta: formatWhen(eta, l, tz) })] : [])] };
    }
    case 'callback-confirmed': {
      const at = date(f.time);
      return { lines: [t(l, 'callback-confirmed.line', { time: at ? formatWhen(at, l, tz) : '', phone: str(f.phone) || 'none' })] };
    }
    default:
      return { lines: [] };
  }
}

function subjectOf(item: RenderedItem, ctx: RenderContext): string {
  const l = ctx.language;
  const f = item.facts;
  const values = { number: str(f.number), title: str(f.title), window: '', time: '', status: '' };
  if (item.kind === 'status-changed') values.status = statusWords(l, str(f.status));
  if (item.kind === 'visit-reminder' || item.kind === 'maintenance-planned') values.window = formatWindow(new Date(str(f.start)), date(f.end), l, ctx.timeZone);
  if (item.kind === 'callback-confirmed' && date(f.time)) values.time = formatWhen(date(f.time)!, l, ctx.timeZone);
  return t(l, `${item.kind}.subject` as MessageId, values);
}

/** Where a message points: the ticket on the WISP's own portal, or its service status page for outages. */
function linkOf(items: RenderedItem[], ctx: RenderContext): { url: string; label: string } {
  const last = items.at(-1)!;
  if (last.category === 'OUTAGES') return { url: `${ctx.portalUrl}/status`, label: t(ctx.language, 'email.actionStatus') };
  if (!last.workOrderId) return { url: `${ctx.portalUrl}/`, label: t(ctx.language, 'email.actionStatus') };
  return { url: `${ctx.portalUrl}/tickets/${last.workOrderId}`, label: t(ctx.language, 'email.action', { number: str(last.facts.number) }) };
}

/** The email of one message: every item's lines, oldest first, under the newest item's subject. */
export function renderEmail(items: RenderedItem[], ctx: RenderContext, opts: { replyable: boolean }) {
  const parts = items.map((i) => linesOf(i, ctx));
  const quote = parts.map((p) => p.quote).filter(Boolean).join('\n\n') || null;
  const link = linkOf(items, ctx);
  const l = ctx.language;
  const logoUrl = ctx.tenant.branding.logoUrl ? new URL(ctx.tenant.branding.logoUrl, `${ctx.portalUrl}/`).toString() : null;
  return renderBrandedEmail(ctx.tenant, {
    subject: subjectOf(items.at(-1)!, ctx),
    heading: t(l, 'email.heading', { company: ctx.tenant.branding.companyName }),
    paragraphs: [t(l, 'email.greeting', { name: ctx.customerName }), ...parts.flatMap((p) => p.lines), ...(opts.replyable ? [t(l, 'email.replyHint')] : [])],
    quote,
    action: link,
    logoUrl,
    footerLinks: ctx.unsubscribeUrl ? [{ label: t(l, 'email.unsubscribe', { category: t(l, `category.${items.at(-1)!.category}` as MessageId) }), url: ctx.unsubscribeUrl }] : [],
  });
}

/** The text message: the WISP's name, the lines, the link and how to stop. Quoted replies stay out of texts. */
export function renderSms(items: RenderedItem[], ctx: RenderContext): string {
  const lines = items.flatMap((i) => linesOf(i, ctx).lines);
  const link = linkOf(items, ctx);
  return `${ctx.tenant.branding.companyName}: ${lines.join(' ')} ${t(ctx.language, 'sms.link', { url: link.url })} ${t(ctx.language, 'sms.stop')}`;
}
