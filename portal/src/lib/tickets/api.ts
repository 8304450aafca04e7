import { secondFactorHeader } from '$lib/portal/secondFactor';
import { accountHeader } from '$lib/portal/actingAccount';
import { gql, type ApolloClient } from '@apollo/client';
import type { User } from 'firebase/auth';

/** A signed-in browser session: the Apollo client and a way to get the current ID token. */
export interface Session {
  client: ApolloClient;
  user: User;
  token: () => Promise<string | null>;
  /** The gateway's origin (file uploads and downloads live beside /graphql). */
  gatewayBase: string;
}

export { CATEGORIES, formatTime, label, PRIORITIES, STATUSES, TYPES } from './ticketValues';

/** A fresh idempotency key per user action; a retried submit reuses it. */
export const newMutationId = () => crypto.randomUUID();

export interface AttachmentInfo {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  url: string;
}

export interface MessageInfo {
  id: string;
  body: string;
  bodyHtml: string;
  authorKind: 'CUSTOMER' | 'AGENT' | 'SYSTEM';
  authorName: string;
  internal: boolean;
  createdAt: string;
  readByCustomer: boolean;
  readByStaff: boolean;
  attachments: AttachmentInfo[];
}

const MESSAGE_FIELDS = `id body bodyHtml authorKind authorName internal createdAt readByCustomer readByStaff attachments { id filename contentType size url }`;

export const TICKET = gql`
  query Ticket($id: ID!) {
    workOrder(id: $id) {
      id number title description status type category priority site eta createdAt updatedAt resolvedAt allowedTransitions
      customer { id name accountNumber phone email tickets(first: 6) { edges { node { id number title status createdAt } } } }
      contact { name phone email }
      assignee { uid name }
      affectedCount
      affectedCustomers { id name }
      visitWindow { start end }
      timeline { from to at byName note change { field from to } }
      callbacks { id preferredTime phone note status createdAt }
      sla { firstResponseDue firstResponseAt nextUpdateDue resolutionDue next { kind dueAt overdue } }
      serviceSnapshot { planName downMbps upMbps cpeModel cpeSerial lastSeenAt site }
      publicUpdates { body at byName }
      rating { score comment }
      attachments { id filename contentType size url }
      messages(first: 100) { edges { node { ${MESSAGE_FIELDS} } } }
    }
  }
`;

export const SEND_MESSAGE = gql`
  mutation SendMessage($input: SendMessageInput!) {
    sendMessage(input: $input) { id }
  }
`;

export const MARK_READ = gql`
  mutation MarkRead($id: ID!) {
    markConversationRead(workOrderId: $id) { id unreadCount }
  }
`;

export const CANCEL_TICKET = gql`
  mutation CancelTicket($id: ID!, $reason: String) {
    cancelTicket(id: $id, reason: $reason) { id status }
  }
`;

export const RATE_TICKET = gql`
  mutation RateTicket($id: ID!, $score: Int!, $comment: String) {
    rateTicket(id: $id, score: $score, comment: $comment) { id rating { score comment } }
  }
`;

export const ACTIVE_OUTAGES = gql`
  query ActiveOutages {
    activeOutages { id number title status eta publicUpdates { body at } }
  }
`;

export const VIEWER_ROLE = gql`
  query ViewerRole {
    viewer { uid role customer { id name site plan { name } } }
  }
`;

export const QUEUE = gql`
  query Queue($filter: WorkOrderQueueFilter, $after: String) {
    workOrderQueue(filter: $filter, first: 50, after: $after) {
      edges { node { id number title status type category priority eta createdAt updatedAt statusSince unreadCount sla { next { kind dueAt overdue } } assignee { uid name } customer { id name } affectedCount } }
      pageInfo { hasNextPage endCursor }
    }
    staffMembers { uid name }
  }
`;

export const STAFF_ACTIONS = {
  details: gql`
    mutation TicketDetails($id: ID!, $input: TicketDetailsInput!) {
      updateTicketDetails(id: $id, input: $input) { id title category priority type }
    }
  `,
  status: gql`
    mutation ChangeStatus($id: ID!, $status: WorkOrderStatus!, $note: String, $expected: WorkOrderStatus) {
      changeWorkOrderStatus(id: $id, status: $status, note: $note, expectedStatus: $expected) { id status }
    }
  `,
  assign: gql`
    mutation Assign($id: ID!, $uid: ID) {
      assignWorkOrder(id: $id, assigneeUid: $uid) { id assignee { uid name } }
    }
  `,
  schedule: gql`
    mutation Schedule($id: ID!, $start: String, $end: String) {
      scheduleVisit(id: $id, windowStart: $start, windowEnd: $end) { id visitWindow { start end } }
    }
  `,
  eta: gql`
    mutation Eta($id: ID!, $eta: String) {
      setWorkOrderEta(id: $id, eta: $eta) { id eta }
    }
  `,
  outage: gql`
    mutation CreateOutage($input: CreateOutageInput!) {
      createOutage(input: $input) { id number affectedCount }
    }
  `,
  outageUpdate: gql`
    mutation OutageUpdate($id: ID!, $body: String!, $eta: String, $key: String!) {
      postOutageUpdate(id: $id, body: $body, eta: $eta, clientMutationId: $key) { id }
    }
  `,
};

/** Uploads one file to a ticket through the gateway (bearer token; no public URL). */
export async function uploadAttachment(session: Session, workOrderId: string, file: File): Promise<AttachmentInfo> {
  const token = await session.token();
  const res = await fetch(`${session.gatewayBase}/attachments?workOrderId=${encodeURIComponent(workOrderId)}&filename=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', ...(token ? { authorization: `Bearer ${token}`, ...secondFactorHeader(), ...accountHeader() } : {}) },
    body: file,
  });
  const body = (await res.json().catch(() => null)) as (AttachmentInfo & { errors?: { message: string }[] }) | null;
  if (!res.ok || !body?.id) throw new Error(body?.errors?.[0]?.message ?? `Upload failed (${res.status}).`);
  return body;
}

/** Fetches a file with the bearer token and gives a local object URL for it. */
export async function attachmentObjectUrl(session: Session, url: string): Promise<string> {
  const token = await session.token();
  const res = await fetch(`${session.gatewayBase}${url}`, { headers: token ? { authorization: `Bearer ${token}`, ...secondFactorHeader(), ...accountHeader() } : {} });
  if (!res.ok) throw new Error(`Download failed (${res.status}).`);
  return URL.createObjectURL(await res.blob());
}

/** The first GraphQL error's message, for forms (server messages are written for people). */
export function errorText(error: unknown): string {
  const e = error as { errors?: { message: string }[]; message?: string };
  return e?.errors?.[0]?.message ?? e?.message ?? 'Something went wrong. Please try again.';
}

/** The `extensions.code` of the first GraphQL error, if any. */
export function errorCode(error: unknown): string | null {
  const code = (error as { errors?: { extensions?: { code?: unknown } }[] })?.errors?.[0]?.extensions?.code;
  return typeof code === 'string' ? code : null;
}

const TICKET_NOT_FOUND = 'We couldn’t find that ticket.';

/**
 * {@link errorText} for a customer's pages: customers have tickets, so the staff word for them
 * ("work order") in a server message never reaches them.
 */
export function customerErrorText(error: unknown): string {
  if (errorCode(error) === 'NOT_FOUND') return TICKET_NOT_FOUND;
  const text = errorText(error);
  return /work order/i.test(text) ? 'Something went wrong. Please try again.' : text;
}

export const AGENT_NOTIFICATIONS = gql`
  query AgentNotifications {
    agentNotifications(first: 20) { unreadCount items { id kind title body read createdAt workOrder { id } } }
  }
`;

export const MARK_NOTIFICATION_READ = gql`
  mutation MarkNotificationRead($id: ID!) {
    markAgentNotificationRead(id: $id) { id read }
  }
`;

export const CALLBACKS = gql`
  query Callbacks {
    callbackRequests(status: REQUESTED, first: 20) { id preferredTime phone note status createdAt workOrder { id } customer { id name phone } }
  }
`;

export const COMPLETE_CALLBACK = gql`
  mutation CompleteCallback($id: ID!) {
    completeCallback(id: $id) { id status }
  }
`;
