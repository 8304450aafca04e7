/** The customer ticket page's GraphQL, as sent by the portal's server (no client library needed). */
const MESSAGE_FIELDS = `id body bodyHtml authorKind authorName internal createdAt readByCustomer readByStaff attachments { id filename contentType size url }`;

export const TICKET_PAGE_QUERY = `query TicketPage($id: ID!) {
  workOrder(id: $id) {
    id number title description status type category priority site eta createdAt updatedAt resolvedAt reopenableUntil nextUpdateBy visitNeeded
    customer { id name }
    visitWindow { start end }
    visit { start changeableUntil }
    timeline { from to at byName note change { field from to } }
    serviceSnapshot { planName cpeModel lastSeenAt }
    publicUpdates { body at byName }
    rating { score comment }
    callbacks { id preferredTime status }
    attachments { id filename contentType size url }
    messages(first: 100) { edges { node { ${MESSAGE_FIELDS} } } }
  }
}`;

export const MARK_READ_MUTATION = `mutation ($id: ID!) { markConversationRead(workOrderId: $id) { id } }`;
export const SEND_MESSAGE_MUTATION = `mutation ($input: SendMessageInput!) { sendMessage(input: $input) { id } }`;
export const CANCEL_MUTATION = `mutation ($id: ID!) { cancelTicket(id: $id) { id status } }`;
export const REOPEN_MUTATION = `mutation ($id: ID!, $reason: String) { reopenTicket(id: $id, reason: $reason) { id status } }`;
export const RATE_MUTATION = `mutation ($id: ID!, $score: Int!, $comment: String) { rateTicket(id: $id, score: $score, comment: $comment) { id } }`;
export const CALLBACK_MUTATION = `mutation ($input: RequestCallbackInput!) { requestCallback(input: $input) { id } }`;

/** A customer's own ticket list, one page, narrowed by the filters given. */
export const MY_TICKETS_QUERY = `query MyTickets($status: [WorkOrderStatus!], $category: [WorkOrderCategory!], $priority: [WorkOrderPriority!], $first: Int, $after: String) {
  viewer { customer { id tickets(first: $first, after: $after, status: $status, category: $category, priority: $priority) {
    edges { node { id number title status type category priority updatedAt unreadCount } }
    pageInfo { hasNextPage endCursor }
  } } }
}`;

/** What the new-ticket form shows first: outages already known at the customer's address, and their plan. */
export const NEW_TICKET_QUERY = `query NewTicket {
  activeOutages { id number title status eta publicUpdates { body at } }
  viewer { customer { id plan { name } } }
}`;

export const OPEN_TICKET_MUTATION = `mutation OpenTicket($input: OpenTicketInput!) { openTicket(input: $input) { id number } }`;
export const TICKET_FILES_QUERY = `query TicketFiles($id: ID!) { workOrder(id: $id) { id attachments { filename size } } }`;
