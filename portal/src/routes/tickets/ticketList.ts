/** One row of a customer's ticket list as the page's server load returns it. */
export interface TicketRow {
  id: string;
  number: string;
  title: string;
  status: string;
  type: string;
  category: string;
  priority: string;
  updatedAt: string;
  unreadCount: number;
}
