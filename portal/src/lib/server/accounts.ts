import type { AccountChoice, AccountRole } from '$lib/portal/accountSwitch';
import { sessionGraphql, type ServerSession } from './session';

const FACTS_QUERY = `{ viewer { role accounts { role active customer { id name accountNumber } } } activeOutages { id number title status eta publicUpdates { body at } } }`;

/** An outage affecting the customer, as the banner under the navigation shows it. */
export interface BannerOutage {
  id: string;
  number: string;
  title: string;
  status: string;
  eta: string | null;
  publicUpdates: { body: string; at: string }[];
}

/**
 * What the navigation bar shows: the login's role, and for a customer the outages affecting them.
 * `follow`: the bar keeps them current itself (the page does not).
 */
export interface SupportBarFacts {
  role: string;
  outages: BannerOutage[];
  follow?: boolean;
}

type Answer = {
  viewer: { role: string; accounts: { role: AccountRole; active: boolean; customer: { id: string; name: string; accountNumber: string } }[] } | null;
  activeOutages: BannerOutage[] | null;
};

/**
 * What every page's frame needs of the session, in one call: the accounts its login may act for
 * (the active one marked; empty for staff), and the navigation bar's role and outages. Nothing
 * for signed-out visitors, or when the gateway cannot say (pages then show no switcher and no bar,
 * never an error).
 */
export async function sessionFacts(session: ServerSession | null): Promise<{ accounts: AccountChoice[]; supportBar: SupportBarFacts | null }> {
  if (!session) return { accounts: [], supportBar: null };
  const r = await sessionGraphql<Answer>(session, FACTS_QUERY);
  if (!r.ok || !r.data.viewer) return { accounts: [], supportBar: null };
  const { role } = r.data.viewer;
  if (role !== 'CUSTOMER') return { accounts: [], supportBar: { role, outages: [] } };
  return {
    accounts: r.data.viewer.accounts.map((a) => ({ id: a.customer.id, name: a.customer.name, accountNumber: a.customer.accountNumber, role: a.role, active: a.active })),
    supportBar: { role, outages: r.data.activeOutages ?? [], follow: true },
  };
}

/** The accounts the session's login may act for (see {@link sessionFacts}). */
export async function accountChoices(session: ServerSession | null): Promise<AccountChoice[]> {
  return (await sessionFacts(session)).accounts;
}
