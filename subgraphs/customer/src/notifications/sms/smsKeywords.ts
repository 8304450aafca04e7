import type { Known } from '@wisp/events';
import type { Logger } from '@wisp/shared';
import { Types } from 'mongoose';
import type { CustomerModels } from '../../context.ts';
import { customerEvent, updateCustomerWithEvents } from '../../customerEvents.ts';
import { phoneKey } from '../../models/Customer.ts';
import { portalBaseUrl } from '../../portal/services.ts';

/** What a reply to a text asks for. */
export type SmsKeyword = 'STOP' | 'START' | 'HELP';

/** The carriers' (CTIA) opt-out, opt-in and help words. */
const KEYWORDS: Record<string, SmsKeyword> = {
  STOP: 'STOP',
  STOPALL: 'STOP',
  UNSUBSCRIBE: 'STOP',
  CANCEL: 'STOP',
  END: 'STOP',
  QUIT: 'STOP',
  START: 'START',
  YES: 'START',
  UNSTOP: 'START',
  HELP: 'HELP',
  INFO: 'HELP',
};

/** The keyword a text starts with (any case, punctuation after it ignored: "Stop." is STOP), or null. */
export function smsKeyword(body: string): SmsKeyword | null {
  const first = body.trim().split(/\s+/, 1)[0] ?? '';
  return KEYWORDS[first.toUpperCase().replace(/[^A-Z]+$/, '')] ?? null;
}

/** One text a customer sent to a number the platform sends from (Twilio's inbound webhook). */
export interface InboundSms {
  /** The customer's number (E.164). */
  from: string;
  /** The number they wrote to. */
  to: string;
  body: string;
  /** Twilio's id of the inbound text: a webhook delivered twice replies once. */
  messageSid?: string | null;
}

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * The WISPs a number sends for: those that set it as their own sender, else (when none does)
 * every WISP without a sender of its own, which all send from the install's SMS_FROM.
 */
async function tenantsSendingFrom(tenants: CustomerModels['services']['tenants'], to: string): Promise<Known<'Tenant'>[]> {
  const own = await tenants.model.find({ 'state.branding.smsSenderId': { $in: [...new Set([to, to.replace(/^\+/, '')])] } });
  return own.length ? own : tenants.model.find({ 'state.branding.smsSenderId': { $in: [null, ''] } });
}

/** What the WISP answers to HELP: its name and how to reach its support. */
function helpText(tenant: Known<'Tenant'>): string {
  const { companyName, supportPhone, supportEmail } = tenant.branding;
  const ways = [supportPhone && `call ${supportPhone}`, supportEmail && `email ${supportEmail}`].filter(Boolean);
  const contact = ways.length ? ways.join(' or ') : `visit ${portalBaseUrl(tenant)}`;
  return `${companyName}: for help ${contact}. Reply STOP to opt out.`;
}

const REPLIES: Record<SmsKeyword, { kind: string; text: (tenant: Known<'Tenant'>) => string }> = {
  STOP: { kind: 'sms-stop-confirmation', text: (t) => `You will no longer receive texts from ${t.branding.companyName}. Reply START to resubscribe.` },
  START: { kind: 'sms-start-confirmation', text: (t) => `You will receive texts from ${t.branding.companyName} again. Reply HELP for help, STOP to opt out.` },
  HELP: { kind: 'sms-help', text: helpText },
};

/** The last digits of a number, for logs (the whole number is the customer's). */
const masked = (number: string) => `…${number.replace(/\D/g, '').slice(-4)}`;

/**
 * Answers STOP, START and HELP. The customers it concerns are those whose phone matches the
 * sender's last ten digits at the WISPs that send from the number written to. STOP records
 * `notificationSettings.smsStoppedAt` (texts stop until START or a new opt-in), START clears it;
 * both go through the customer's event path, so every service learns of it. Each WISP concerned
 * answers from the number written to, once per inbound text. A text that is no keyword, or comes
 * from a number no customer has, changes nothing.
 */
export async function handleSmsKeyword(models: CustomerModels, sms: InboundSms, log: Logger): Promise<{ keyword: SmsKeyword | null; customers: number; replies: number }> {
  const keyword = smsKeyword(sms.body);
  if (!keyword) return { keyword, customers: 0, replies: 0 };
  const key = phoneKey(sms.from);
  const tenants = key ? await tenantsSendingFrom(models.services.tenants, sms.to) : [];
  const customers = tenants.length
    ? await models.Customer.find({ tenantId: { $in: tenants.filter((t) => Types.ObjectId.isValid(t.id)).map((t) => new Types.ObjectId(t.id)) }, phoneKey: key }, { tenantId: 1, site: 1 }).lean()
    : [];
  if (!customers.length) {
    log.info('text keyword from a number no customer has', { keyword, from: masked(sms.from), to: sms.to });
    return { keyword, customers: 0, replies: 0 };
  }

  if (keyword !== 'HELP') {
    const stoppedAt = 'notificationSettings.smsStoppedAt';
    for (const c of customers) {
      // Conditional, so a repeated STOP keeps the first time and a webhook delivered twice publishes once.
      const [filter, update] = keyword === 'STOP' ? [{ [stoppedAt]: null }, { $set: { [stoppedAt]: new Date() } }] : [{ [stoppedAt]: { $ne: null } }, { $unset: { [stoppedAt]: '' } }];
      await updateCustomerWithEvents({ models, services: models.services }, { _id: c._id, ...filter }, update, [
        customerEvent(c, 'customer.updated', 'updated', { fields: ['notificationSettings'], site: c.site ?? null }),
      ]);
    }
  }

  const to = sms.from.trim();
  if (!E164.test(to)) {
    log.warn('text keyword from a number that cannot be answered', { keyword, from: masked(sms.from) });
    return { keyword, customers: customers.length, replies: 0 };
  }
  const concerned = tenants.filter((t) => customers.some((c) => String(c.tenantId) === t.id));
  const reply = REPLIES[keyword];
  for (const tenant of concerned) {
    await models.services.smsOutbox.queue({
      tenantId: tenant.id,
      to,
      from: sms.to,
      body: reply.text(tenant),
      kind: reply.kind,
      ...(sms.messageSid ? { dedupeKey: `sms-reply:${sms.messageSid}:${tenant.id}` } : {}),
    });
  }
  log.info('text keyword answered', { keyword, from: masked(sms.from), customers: customers.length, tenants: concerned.length });
  return { keyword, customers: customers.length, replies: concerned.length };
}
