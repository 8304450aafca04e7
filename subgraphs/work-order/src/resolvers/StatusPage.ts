import { Types } from 'mongoose';
import type { Context } from '../context.ts';
import { ACTIVE_STATUSES } from '../transitions.ts';

/** How long a resolved outage stays on the status page. */
const RESOLVED_SHOWN_MS = 24 * 60 * 60 * 1000;
const MAX_ACTIVE = 50;
const MAX_RESOLVED = 20;

/** Only what a public page may show: no customers, no counts, no staff names, no internal notes. */
const PUBLIC_FIELDS = { title: 1, site: 1, status: 1, eta: 1, visitWindow: 1, resolvedAt: 1, createdAt: 1, 'publicUpdates.body': 1, 'publicUpdates.at': 1 } as const;

interface NoticeRow {
  _id: Types.ObjectId;
  title: string;
  site?: string | null;
  status: string;
  eta?: Date | null;
  visitWindow?: { start?: Date | null; end?: Date | null } | null;
  resolvedAt?: Date | null;
  createdAt?: Date | null;
  publicUpdates?: { body: string; at: Date }[];
}

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

function publicStatus(row: NoticeRow, planned: boolean): string {
  if (row.status === 'RESOLVED' || row.status === 'CLOSED') return 'RESOLVED';
  if (planned && row.status === 'SCHEDULED') return 'SCHEDULED';
  return row.status === 'OPEN' || row.status === 'WAITING_ON_CUSTOMER' ? 'INVESTIGATING' : 'IDENTIFIED';
}

function toNotice(row: NoticeRow) {
  const window = row.visitWindow?.start && row.visitWindow.end ? { start: iso(row.visitWindow.start)!, end: iso(row.visitWindow.end)! } : null;
  const planned = !!window;
  return {
    id: String(row._id),
    kind: planned ? 'PLANNED_MAINTENANCE' : 'OUTAGE',
    status: publicStatus(row, planned),
    title: row.title,
    site: row.site ?? null,
    startedAt: iso(planned ? row.visitWindow!.start : (row.createdAt ?? row._id.getTimestamp()))!,
    eta: iso(row.eta),
    window,
    updates: (row.publicUpdates ?? []).map((u) => ({ body: u.body, at: iso(u.at)! })),
    resolvedAt: iso(row.resolvedAt),
  };
}

/**
 * The public side of a WISP's outages. The reference comes from the tenant subgraph, which
 * resolved it from the portal's host, so the tenant is never taken from a caller's argument.
 */
export const StatusPage = {
  __resolveReference: ({ tenantId }: { tenantId: string }) => (Types.ObjectId.isValid(tenantId) ? { tenantId } : null),

  notices: async ({ tenantId }: { tenantId: string }, _: unknown, { models }: Context) => {
    const tid = new Types.ObjectId(tenantId);
    const [active, resolved] = await Promise.all([
      models.WorkOrder.find({ tenantId: tid, type: 'OUTAGE', status: { $in: ACTIVE_STATUSES } }, PUBLIC_FIELDS).sort({ _id: -1 }).limit(MAX_ACTIVE).lean<NoticeRow[]>(),
      models.WorkOrder.find({ tenantId: tid, type: 'OUTAGE', status: { $in: ['RESOLVED', 'CLOSED'] } }, PUBLIC_FIELDS).sort({ resolvedAt: -1 }).limit(MAX_RESOLVED).lean<NoticeRow[]>(),
    ]);
    const since = Date.now() - RESOLVED_SHOWN_MS;
    const recent = resolved.filter((r) => r.resolvedAt && new Date(r.resolvedAt).getTime() >= since);
    return [...active, ...recent].map(toNotice);
  },
};
