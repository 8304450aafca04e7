import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@wisp/shared';
import { customerEvent, updateCustomerWithEvents } from '../customerEvents.ts';
import type { CustomerModels } from '../context.ts';
import { verifyUnsubscribeToken, type UnsubscribeFacts } from './unsubscribeToken.ts';

/**
 * Turns off one category of one channel for the customer an unsubscribe token names. The same
 * token again changes nothing more. Null for a token that is not valid.
 */
export async function applyUnsubscribe(models: CustomerModels, token: string): Promise<(UnsubscribeFacts & { companyName: string | null }) | null> {
  const secret = models.services.signingSecret;
  const facts = secret ? verifyUnsubscribeToken(token, secret) : null;
  if (!facts) return null;
  const customer = await models.Customer.findById(facts.customerId, { tenantId: 1, site: 1 }).lean();
  if (!customer) return null;
  const path = `notificationSettings.${facts.channel === 'EMAIL' ? 'email' : 'sms'}.${facts.category.toLowerCase()}`;
  await updateCustomerWithEvents(
    { models, services: models.services },
    { _id: customer._id, [path]: { $ne: false } },
    { $set: { [path]: false } },
    [customerEvent(customer, 'customer.updated', 'updated', { fields: ['notificationSettings'], site: customer.site ?? null })],
  );
  const tenant = await models.services.tenants.get(String(customer.tenantId));
  return { ...facts, companyName: tenant?.branding.companyName ?? null };
}

/**
 * `POST /unsubscribe?token=…`: the one-click unsubscribe of RFC 8058, which mail clients send
 * (body `List-Unsubscribe=One-Click`) to the address in an email's List-Unsubscribe header. It
 * needs no sign-in: the token is the authority, and it can only turn messages off.
 */
export function unsubscribeRoute({ models, log }: { models: CustomerModels; log: Logger }) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname !== '/unsubscribe') return false;
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST', 'content-type': 'text/plain' }).end('Use the link in the email to unsubscribe.');
      return true;
    }
    // The body says only "List-Unsubscribe=One-Click"; read and drop it (bounded).
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > 4096) break;
    }
    try {
      const done = await applyUnsubscribe(models, url.searchParams.get('token') ?? '');
      res.writeHead(done ? 200 : 400, { 'content-type': 'text/plain; charset=utf-8' }).end(done ? 'Unsubscribed.' : 'This unsubscribe link is not valid.');
    } catch (err) {
      log.error('one-click unsubscribe failed', { error: err instanceof Error ? err.message : String(err) });
      res.writeHead(500, { 'content-type': 'text/plain' }).end('Please try again later.');
    }
    return true;
  };
}
