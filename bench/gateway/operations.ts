/** The operations the gateway benchmarks send: what the portal's busiest pages ask for. */

/** A customer's home page: who they are, their plan and their 20 newest tickets with the latest message. */
export const CUSTOMER_HOME = `query CustomerHome {
  viewer {
    uid role
    tenant { id name }
    customer {
      id name accountNumber serviceStatus plan { name downMbps upMbps }
      tickets(first: 20) {
        edges { node { id number title status type category priority eta createdAt updatedAt messageCount unreadCount lastMessage { id body authorKind authorName createdAt } } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`;

/** An agent's queue page: the tenant's 50 newest work orders with reporter and assignee, the staff list and the first customers. */
export const STAFF_QUEUE = `query StaffQueue {
  workOrderQueue(first: 50) {
    edges { node { id number title status type category priority eta createdAt updatedAt unreadCount assignee { uid name } customer { id name accountNumber } affectedCount } }
    pageInfo { hasNextPage endCursor }
  }
  staffMembers { uid name }
  customers(first: 20) { edges { node { id name accountNumber serviceStatus } } }
}`;
