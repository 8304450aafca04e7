/** A customer's ticket as its page's server load returns it (see $lib/server/ticketQueries). */
export interface TicketPageData {
  id: string;
  number: string;
  title: string;
  description: string;
  status: string;
  type: string;
  category: string;
  priority: string;
  eta: string | null;
  createdAt: string;
  resolvedAt: string | null;
  reopenableUntil: string | null;
  /** Support's next word is due by then (a first reply or the next update); null while nothing is owed. */
  nextUpdateBy: string | null;
  customer: { id: string; name: string } | null;
  visitWindow: { start: string; end: string } | null;
  visitNeeded: boolean;
  visit: { start: string; changeableUntil: string } | null;
  timeline: { from: string | null; to: string; at: string; byName: string; note: string | null; change: { field: string; from: string | null; to: string | null } | null }[] | null;
  serviceSnapshot: { planName: string | null; cpeModel: string | null; lastSeenAt: string | null } | null;
  publicUpdates: { body: string; at: string; byName: string }[];
  rating: { score: number; comment: string | null } | null;
  callbacks: { id: string; preferredTime: string; status: string }[] | null;
  attachments: { id: string; filename: string; contentType: string; size: number; url: string }[];
  messages: { edges: { node: { id: string; bodyHtml: string; authorKind: string; authorName: string; createdAt: string; readByStaff: boolean; attachments: { id: string; filename: string; contentType: string; size: number; url: string }[] } }[] };
}
