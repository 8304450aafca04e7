/** The customer start page's data, as the portal's server loads it through the gateway. */

export const DASHBOARD_QUERY = `query CustomerDashboard {
  viewer {
    uid
    role
    customer {
      id name accountNumber serviceStatus
      plan { name }
      equipment { model serial online lastSeenAt }
      tickets(first: 30) {
        edges { node {
          id number title status type eta createdAt updatedAt
          visitWindow { start end }
          unreadCount
          lastMessage { authorKind authorName createdAt }
          timeline { from to at byName }
        } }
      }
    }
  }
  activeOutages { id number title status eta site updatedAt publicUpdates { body at } }
}`;

export interface DashboardTicket {
  id: string;
  number: string;
  title: string;
  status: string;
  type: string;
  eta: string | null;
  createdAt: string;
  updatedAt: string;
  visitWindow: { start: string; end: string } | null;
  unreadCount: number;
  lastMessage: { authorKind: string; authorName: string; createdAt: string } | null;
  timeline: { from: string | null; to: string; at: string; byName: string }[] | null;
}

export interface DashboardOutage {
  id: string;
  number: string;
  title: string;
  status: string;
  eta: string | null;
  site: string | null;
  updatedAt: string;
  publicUpdates: { body: string; at: string }[];
}

export interface DashboardCustomer {
  id: string;
  name: string;
  accountNumber: string;
  serviceStatus: string;
  plan: { name: string } | null;
  equipment: { model: string; serial: string | null; online: boolean | null; lastSeenAt: string | null }[];
  tickets: { edges: { node: DashboardTicket }[] };
}

export interface DashboardAnswer {
  viewer: { uid: string; role: string; customer: DashboardCustomer | null } | null;
  activeOutages: DashboardOutage[];
}

/** One line of the activity feed: what happened to which ticket, and when. The page words it. */
export interface ActivityItem {
  key: string;
  at: string;
  kind: 'opened' | 'status' | 'reply';
  ticket: { id: string; number: string; title: string; type: string };
  /** The new status (`status`), or who wrote (`reply`). */
  detail: string | null;
}

const CLOSED = new Set(['RESOLVED', 'CLOSED', 'CANCELLED']);
const VISIT = new Set(['SCHEDULED', 'EN_ROUTE', 'ON_SITE']);

/** The start page's sections, from the tickets the gateway answered with. */
export function dashboardOf(answer: DashboardAnswer, now = new Date()) {
  const customer = answer.viewer!.customer!;
  const tickets = customer.tickets.edges.map((e) => e.node);
  const own = tickets.filter((t) => t.type !== 'OUTAGE');
  const open = own.filter((t) => !CLOSED.has(t.status));
  const activity: ActivityItem[] = [];
  for (const t of tickets) {
    const ticket = { id: t.id, number: t.number, title: t.title, type: t.type };
    activity.push({ key: `${t.id}:opened`, at: t.createdAt, kind: 'opened', ticket, detail: null });
    for (const [i, entry] of (t.timeline ?? []).entries()) {
      if (entry.from && entry.from !== entry.to) activity.push({ key: `${t.id}:t${i}`, at: entry.at, kind: 'status', ticket, detail: entry.to });
    }
    if (t.lastMessage && t.lastMessage.authorKind === 'AGENT') activity.push({ key: `${t.id}:m:${t.lastMessage.createdAt}`, at: t.lastMessage.createdAt, kind: 'reply', ticket, detail: t.lastMessage.authorName });
  }
  activity.sort((a, b) => b.at.localeCompare(a.at));
  return {
    customer: { name: customer.name, accountNumber: customer.accountNumber, serviceStatus: customer.serviceStatus, plan: customer.plan?.name ?? null },
    waiting: open.filter((t) => t.status === 'WAITING_ON_CUSTOMER'),
    unread: tickets.filter((t) => t.unreadCount > 0),
    open,
    visits: open
      .filter((t) => t.visitWindow && (VISIT.has(t.status) || Date.parse(t.visitWindow.end) > now.getTime()))
      .sort((a, b) => a.visitWindow!.start.localeCompare(b.visitWindow!.start)),
    equipment: customer.equipment,
    outages: answer.activeOutages,
    activity: activity.slice(0, 10),
  };
}

export type Dashboard = ReturnType<typeof dashboardOf>;
