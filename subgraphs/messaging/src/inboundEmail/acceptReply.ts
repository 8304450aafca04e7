import { createHash } from 'node:crypto';
import { replyTokenFromAddress, Role, verifyReplyToken, type Identity, type ReplyTokenCheck } from '@wisp/shared';
import { simpleParser, type AddressObject, type HeaderValue, type ParsedMail } from 'mailparser';
import { Types } from 'mongoose';
import type { Models } from '../models/index.ts';
import { bodyProblem, postMessage, writeRefusal } from '../postMessage.ts';
import type { Services } from '../services.ts';
import { checkAttachment, discardAttachments, MAX_ATTACHMENTS_PER_MESSAGE, storeAttachment, type CheckedAttachment } from '../storeAttachment.ts';
import type { InboundDelivery } from './readInboundBody.ts';
import { replyText } from './replyText.ts';

/** Why an emailed reply was not added; the inbound route's answer and the stored refusal carry it. */
export type InboundRefusal =
  | 'too-large'
  | 'malformed-mime'
  | 'no-reply-address'
  | 'malformed-token'
  | 'forged-token'
  | 'expired-token'
  | 'unknown-ticket'
  | 'wrong-sender'
  | 'access-revoked'
  | 'not-writable'
  | 'empty-reply'
  | 'too-long'
  | 'too-many-attachments'
  | 'attachment-not-allowed';

/** What a refusal record may say of a message: its headers and, once its address checked out, whom it named. */
export interface MailFacts {
  from?: string;
  subject?: string;
  messageId?: string;
  tenantId?: string;
  workOrderId?: string;
  customerId?: string;
}

export type InboundOutcome =
  | { accepted: true; messageId: string; duplicate: boolean }
  | { accepted: false; reason: InboundRefusal; detail?: string; facts: MailFacts };

export interface AcceptReplyDeps {
  models: Models;
  services: Services;
  /** REPLY_TOKEN_SECRET: what reply addresses are signed with. */
  replySecret: string;
}

/** Headers a reply address may be found in, the SMTP envelope's first (what the MTA saw), then the message's own. */
const RECIPIENT_HEADERS = ['x-envelope-to', 'x-original-to', 'delivered-to', 'to', 'cc'];

/** Replies posted by email are authored by the customer; this login id keeps their idempotency keys apart from portal sends. */
export const emailAuthorUid = (customerId: string) => `email:${customerId}`;

const clip = (s: string | undefined, n: number) => (s ? s.slice(0, n) : undefined);

function addressesIn(value: HeaderValue | undefined): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.split(',');
  if (Array.isArray(value)) return (value as unknown[]).flatMap((v) => addressesIn(v as HeaderValue));
  if (typeof value === 'object' && 'value' in value && Array.isArray((value as AddressObject).value)) {
    const flat = (list: AddressObject['value']): string[] => list.flatMap((a) => [...(a.address ? [a.address] : []), ...flat(a.group ?? [])]);
    return flat((value as AddressObject).value);
  }
  return [];
}

/** The headers a refusal may record, from a parsed message. */
function factsOf(mail: ParsedMail | null): MailFacts {
  if (!mail) return {};
  return { from: clip(mail.from?.value?.[0]?.address ?? mail.from?.text, 320), subject: clip(mail.subject, 300), messageId: clip(mail.messageId, 300) };
}

/** Whom a refused body's start says it is from, for the record (a cut-off message parses as far as it goes). */
export async function headFacts(head: Buffer): Promise<MailFacts> {
  try {
    return factsOf(await simpleParser(head, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true }));
  } catch {
    return {};
  }
}

const TOKEN_REFUSAL = { malformed: 'malformed-token', 'bad-signature': 'forged-token', expired: 'expired-token' } as const;
// Of several bad addresses, report the one that tells the customer's side the most.
const REFUSAL_RANK: Record<string, number> = { expired: 3, 'bad-signature': 2, malformed: 1 };

/**
 * Adds a customer's emailed reply to the conversation its reply address names, as that customer's
 * message with its files, through the same path as a message sent in the portal. Refused (and
 * nothing stored) when the address is not valid, the sender is not that customer's address, the
 * customer may not write in that ticket, or the reply or one of its files breaks a rule. The same
 * Message-ID again answers with the message it added the first time.
 */
export async function acceptReply(deps: AcceptReplyDeps, delivery: InboundDelivery, now = new Date()): Promise<InboundOutcome> {
  const { models, services } = deps;
  let mail: ParsedMail | null = null;
  try {
    mail = await simpleParser(delivery.raw, { skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  } catch {
    // Refused below: nothing could be read.
  }
  const facts = factsOf(mail);
  const refuse = (reason: InboundRefusal, detail?: string): InboundOutcome => ({ accepted: false, reason, ...(detail ? { detail } : {}), facts });
  // RFC 5322 requires a From header; without one there is nothing that reads as a message.
  const fromAddresses = mail?.from?.value?.flatMap((a) => (a.address ? [a.address] : [])) ?? [];
  if (!mail || mail.headers.size === 0 || fromAddresses.length === 0) return refuse('malformed-mime');

  const candidates = [...delivery.envelopeTo, ...RECIPIENT_HEADERS.flatMap((h) => addressesIn(mail.headers.get(h)))];
  const tokens = [...new Set(candidates.map((a) => replyTokenFromAddress(a)).filter((t): t is string => !!t))];
  if (tokens.length === 0) return refuse('no-reply-address');
  const checks = tokens.map((t) => verifyReplyToken(t, deps.replySecret, now));
  const valid = checks.find((c): c is Extract<ReplyTokenCheck, { ok: true }> => c.ok);
  if (!valid) {
    const worst = checks.map((c) => (c as Extract<ReplyTokenCheck, { ok: false }>).reason).sort((a, b) => REFUSAL_RANK[b]! - REFUSAL_RANK[a]!)[0]!;
    return refuse(TOKEN_REFUSAL[worst]);
  }
  const { workOrderId, customerId } = valid.facts;
  facts.workOrderId = workOrderId;
  facts.customerId = customerId;

  const [wo] = await services.workOrders.many([workOrderId]);
  const customer = wo ? await services.customers.get(String(wo.tenantId), customerId) : null;
  if (!wo || !customer) return refuse('unknown-ticket');
  facts.tenantId = String(wo.tenantId);
  // The address was made for this customer's own mailbox: a message from any other is not theirs.
  const known = [customer.ticketMailTo, customer.email].filter((a): a is string => !!a).map((a) => a.trim().toLowerCase());
  if (fromAddresses.length !== 1 || !known.includes(fromAddresses[0]!.trim().toLowerCase())) return refuse('wrong-sender');
  if (customer.portalStatus === 'REVOKED') return refuse('access-revoked');
  const identity: Identity = { uid: emailAuthorUid(customerId), role: Role.CUSTOMER, tenantId: String(wo.tenantId), customerId };
  const cannot = writeRefusal(identity, wo, false);
  if (cannot) return refuse(cannot.reason === 'not-found' ? 'unknown-ticket' : 'not-writable');

  // One key per message: its Message-ID, else its bytes (a provider's retry sends the same).
  const clientMutationId = `email:${createHash('sha256').update(mail.messageId?.trim() || delivery.raw).digest('hex').slice(0, 48)}`;
  const first = await models.Message.findOne({ tenantId: wo.tenantId, authorUid: identity.uid, clientMutationId }, { _id: 1 }).lean();
  if (first) return { accepted: true, messageId: String(first._id), duplicate: true };

  const parts = mail.attachments ?? [];
  if (parts.length > MAX_ATTACHMENTS_PER_MESSAGE) return refuse('too-many-attachments', `${parts.length} files; at most ${MAX_ATTACHMENTS_PER_MESSAGE}`);
  const files: CheckedAttachment[] = [];
  for (const part of parts) {
    const checked = checkAttachment(Buffer.isBuffer(part.content) ? part.content : Buffer.alloc(0), part.filename);
    if (!checked.ok) return refuse('attachment-not-allowed', `${clip(part.filename ?? part.contentType, 120)}: ${checked.reason}`);
    files.push(checked.file);
  }
  let body = replyText(mail.text ?? '');
  if (!body && files.length === 0) return refuse('empty-reply');
  // A message needs words; files sent without any say what they are.
  if (!body) body = `Attached: ${files.map((f) => f.filename).join(', ')}`;
  const problem = bodyProblem(body);
  if (problem) return refuse('too-long', problem);

  const owner = { tenantId: wo.tenantId, workOrderId: wo._id, uploaderUid: identity.uid, internal: false };
  const stored: string[] = [];
  try {
    for (const file of files) stored.push((await storeAttachment(models, owner, file)).id);
    const result = await postMessage({ models, services, workOrder: async (id) => (await services.workOrders.many([id]))[0] }, identity, { workOrderId, body, clientMutationId, attachmentIds: stored });
    if (!result.ok) {
      await discardAttachments(models, stored);
      return refuse(result.reason === 'not-found' ? 'unknown-ticket' : 'not-writable', result.reason);
    }
    // The same message delivered twice at once: the other delivery's message stands, with its files.
    if (!result.created) await discardAttachments(models, stored);
    return { accepted: true, messageId: String(result.message._id), duplicate: !result.created };
  } catch (err) {
    await discardAttachments(models, stored).catch(() => undefined);
    throw err;
  }
}

/** Keeps a refusal where an operator can find it: when, why, and the message's headers (never its body or files). */
export async function recordRefusal(models: Models, refusal: Extract<InboundOutcome, { accepted: false }>, at = new Date()): Promise<void> {
  const { facts } = refusal;
  const id = (v: string | undefined) => (v && Types.ObjectId.isValid(v) ? new Types.ObjectId(v) : undefined);
  await models.InboundEmailRejection.create({
    at,
    reason: refusal.reason,
    detail: refusal.detail,
    from: facts.from,
    subject: facts.subject,
    messageId: facts.messageId,
    tenantId: id(facts.tenantId),
    workOrderId: id(facts.workOrderId),
    customerId: id(facts.customerId),
  });
}
