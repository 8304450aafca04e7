import { sessionGraphql, type ServerSession } from './session';

/** How many of a list the start page counts before it says "50+". */
const COUNTED = 50;

const STAFF_DASHBOARD_QUERY = `query StaffDashboard($me: ID!, $first: Int!) {
  tenant: viewer { tenant { branding { companyName } } }
  unassigned: workOrderQueue(filter: { unassigned: true }, first: $first) { edges { node { id } } pageInfo { hasNextPage } }
  mine: workOrderQueue(filter: { assigneeUid: $me }, first: $first) { edges { node { id } } pageInfo { hasNextPage } }
  overdue: workOrderQueue(first: $first) { edges { node { id sla { next { overdue } } } } pageInfo { hasNextPage } }
  callbackRequests(status: REQUESTED, first: $first) { id }
  agentNotifications(first: 1, unreadOnly: true) { unreadCount }
}`;

interface Page {
  edges: { node: { id: string; sla?: { next: { overdue: boolean } | null } | null } }[];
  pageInfo: { hasNextPage: boolean };
}
interface Answer {
  tenant: { tenant: { branding: { companyName: string } } | null } | null;
  unassigned: Page;
  mine: Page;
  overdue: Page;
  callbackRequests: { id: string }[];
  agentNotifications: { unreadCount: number };
}

/** A count the page shows: `more` when there were more than it counted. */
export interface Count {
  n: number;
  more: boolean;
}

/** The staff start page as the server renders it: where to go, and how much waits there. */
export interface StaffDashboard {
  role: string;
  companyName: string | null;
  counts: { unassigned: Count; mine: Count; overdue: Count; callbacks: Count; unread: number } | null;
}

const count = (p: Page): Count => ({ n: p.edges.length, more: p.pageInfo.hasNextPage });

/**
 * Loads the counts beside the staff dashboard's links. A count that cannot be read leaves the
 * links alone (the page still gets the agent where they are going), so a failure is `counts: null`.
 */
export async function staffDashboard(session: ServerSession, viewer: { uid: string; role: string }): Promise<StaffDashboard> {
  const r = await sessionGraphql<Answer>(session, STAFF_DASHBOARD_QUERY, { me: viewer.uid, first: COUNTED });
  if (!r.ok) return { role: viewer.role, companyName: null, counts: null };
  const d = r.data;
  const overdue = d.overdue.edges.filter((e) => e.node.sla?.next?.overdue).length;
  return {
    role: viewer.role,
    companyName: d.tenant?.tenant?.branding.companyName ?? null,
    counts: {
      unassigned: count(d.unassigned),
      mine: count(d.mine),
      overdue: { n: overdue, more: d.overdue.pageInfo.hasNextPage && overdue === d.overdue.edges.length },
      callbacks: { n: d.callbackRequests.length, more: d.callbackRequests.length >= COUNTED },
      unread: d.agentNotifications.unreadCount,
    },
  };
}
