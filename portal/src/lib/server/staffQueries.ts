/** The staff pages' GraphQL, as sent by the portal's server (no client library needed). */

const MESSAGE_FIELDS = `id body bodyHtml authorKind authorName internal createdAt readByCustomer readByStaff attachments { id filename contentType size url }`;

export const QUEUE_QUERY = `query Queue($filter: WorkOrderQueueFilter, $first: Int, $after: String) {
  workOrderQueue(filter: $filter, first: $first, after: $after) {
    edges { node { id number title status type category priority eta createdAt updatedAt statusSince unreadCount sla { next { kind dueAt overdue } } assignee { uid name } customer { id name } affectedCount } }
    pageInfo { hasNextPage endCursor }
  }
  staffMembers { uid name }
}`;

export const CALLBACKS_QUERY = `query Callbacks { callbackRequests(status: REQUESTED, first: 20) { id preferredTime phone note status createdAt workOrder { id } customer { id name phone } } }`;
export const COMPLETE_CALLBACK_MUTATION = `mutation ($id: ID!) { completeCallback(id: $id) { id status } }`;
export const AGENT_NOTIFICATIONS_QUERY = `query AgentNotifications { agentNotifications(first: 20) { unreadCount items { id kind title body read createdAt workOrder { id } } } }`;
export const MARK_NOTIFICATION_READ_MUTATION = `mutation ($id: ID!) { markAgentNotificationRead(id: $id) { id read } }`;
export const CREATE_OUTAGE_MUTATION = `mutation ($input: CreateOutageInput!) { createOutage(input: $input) { id number affectedCount } }`;

export const STAFF_TICKET_QUERY = `query StaffTicket($id: ID!) {
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
}`;

export const STAFF_LISTS_QUERY = `query StaffLists { staffMembers { uid name } cannedReplies { id title body } }`;

export const TICKET_NOTIFICATIONS_QUERY = (fields: string) => `query TicketCustomerNotifications($id: ID!) { workOrder(id: $id) { id customerNotifications { ${fields} } } }`;

export const STAFF_MUTATIONS = {
  send: `mutation ($input: SendMessageInput!) { sendMessage(input: $input) { id } }`,
  markRead: `mutation ($id: ID!) { markConversationRead(workOrderId: $id) { id } }`,
  details: `mutation ($id: ID!, $input: TicketDetailsInput!) { updateTicketDetails(id: $id, input: $input) { id } }`,
  status: `mutation ($id: ID!, $status: WorkOrderStatus!, $note: String, $expected: WorkOrderStatus) { changeWorkOrderStatus(id: $id, status: $status, note: $note, expectedStatus: $expected) { id status } }`,
  assign: `mutation ($id: ID!, $uid: ID) { assignWorkOrder(id: $id, assigneeUid: $uid) { id } }`,
  schedule: `mutation ($id: ID!, $start: String, $end: String) { scheduleVisit(id: $id, windowStart: $start, windowEnd: $end) { id } }`,
  eta: `mutation ($id: ID!, $eta: String) { setWorkOrderEta(id: $id, eta: $eta) { id } }`,
  outageUpdate: `mutation ($id: ID!, $body: String!, $eta: String, $key: String!) { postOutageUpdate(id: $id, body: $body, eta: $eta, clientMutationId: $key) { id } }`,
} as const;
