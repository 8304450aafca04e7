import type { AccountChoice, AccountRole } from '$lib/portal/accountSwitch';
import { sessionGraphql, type ServerSession } from './session';

const ACCOUNTS_QUERY = `{ viewer { role accounts { role active customer { id name accountNumber } } } }`;

type Answer = { viewer: { role: string; accounts: { role: AccountRole; active: boolean; customer: { id: string; name: string; accountNumber: string } }[] } | null };

/**
 * The accounts the session's login may act for, the active one marked; empty for staff, signed-out
 * visitors and whenever the gateway cannot say (pages then show no switcher, never an error).
 */
export async function accountChoices(session: ServerSession | null): Promise<AccountChoice[]> {
  if (!session) return [];
  const r = await sessionGraphql<Answer>(session, ACCOUNTS_QUERY);
  if (!r.ok || r.data.viewer?.role !== 'CUSTOMER') return [];
  return r.data.viewer.accounts.map((a) => ({ id: a.customer.id, name: a.customer.name, accountNumber: a.customer.accountNumber, role: a.role, active: a.active }));
}
