import type { NotificationDelivery } from '$lib/notifications/notificationFields';

/** A file on a ticket or a message; the page links it through the portal's `/files/<id>`. */
export interface FileInfo {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  url: string;
}

export interface StaffMessage {
  id: string;
  body: string;
  bodyHtml: string;
  authorKind: 'CUSTOMER' | 'AGENT' | 'SYSTEM';
  authorName: string;
  internal: boolean;
  createdAt: string;
  readByCustomer: boolean;
  readByStaff: boolean;
  attachments: FileInfo[];
}

/** A work order as its staff page's server load returns it (see $lib/server/staffQueries). */
export interface StaffTicketData {
  id: string;
  number: string;
  title: string;
  description: string;
  status: string;
  type: string;
  category: string;
  priority: string;
  site: string | null;
  eta: string | null;
  createdAt: string;
  allowedTransitions: string[];
  customer: {
    id: string;
    name: string;
    accountNumber: string;
    phone: string | null;
    email: string | null;
    tickets: { edges: { node: { id: string; number: string; title: string; status: string; createdAt: string } }[] };
  } | null;
  contact: { name: string | null; phone: string | null; email: string | null } | null;
  assignee: { uid: string; name: string } | null;
  affectedCount: number | null;
  affectedCustomers: { id: string; name: string }[] | null;
  visitWindow: { start: string; end: string } | null;
  timeline: { from: string | null; to: string; at: string; byName: string; note: string | null; change: { field: string; from: string | null; to: string | null } | null }[] | null;
  sla: { firstResponseDue: string | null; firstResponseAt: string | null; nextUpdateDue: string | null; resolutionDue: string | null; next: { kind: string; dueAt: string; overdue: boolean } | null } | null;
  callbacks: { id: string; preferredTime: string; phone: string | null; note: string | null; status: string; createdAt: string }[] | null;
  serviceSnapshot: { planName: string | null; downMbps: number | null; upMbps: number | null; cpeModel: string | null; cpeSerial: string | null; lastSeenAt: string | null; site: string | null } | null;
  publicUpdates: { body: string; at: string; byName: string }[];
  rating: { score: number; comment: string | null } | null;
  attachments: FileInfo[];
  messages: { edges: { node: StaffMessage }[] };
}

/** What the customers were told about the ticket; null with `error` when it could not be read. */
export interface TicketNotifications {
  deliveries: NotificationDelivery[] | null;
  error: string;
}

/** What a refused form tells the page: which form, why, and what was written (kept for a retry). */
export interface StaffTicketForm {
  action: string;
  message?: string;
  problems?: Record<string, string>;
  body?: string;
  done?: boolean;
}
