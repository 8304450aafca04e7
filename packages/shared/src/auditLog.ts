import type { ApolloServerPlugin } from '@apollo/server';
import { Types, type Connection } from 'mongoose';
import { badInput, forbidden, unauthenticated } from './errors.ts';
import { Role, type Identity } from './identity.ts';
import type { Logger } from './log.ts';
import { pageQuery, toConnection, type PageArgs } from './pagination.ts';

/** What an audit entry is about: the area of the product an action touched. */
export type AuditCategory = 'TICKET' | 'MESSAGE' | 'CUSTOMER' | 'PROFILE' | 'PORTAL_ACCESS' | 'ACCOUNT_SECURITY' | 'BRANDING' | 'STAFF' | 'KEY' | 'TENANT';

/** One thing someone did, as written by {@link AuditLog.write}. */
export interface AuditRecord {
  /** The tenant whose admins may read the entry; null for platform-level actions. */
  tenantId: string | null;
  category: AuditCategory;
  /** What was done, e.g. "updateCustomer", "PASSWORD_CHANGED". */
  action: string;
  outcome: 'SUCCESS' | 'FAILURE';
  actor: { uid: string; role: string };
  target?: { type: string; id: string | null } | null;
  detail?: string | null;
  /** Where the request came from, as the gateway signed it. */
  clientAddress?: string | null;
  /** The caller's user agent, as the gateway signed it. */
  userAgent?: string | null;
  at?: Date;
}

/** The filters a tenant admin may apply to the audit trail (all optional, combined with AND). */
export interface AuditFilter {
  actions?: string[] | null;
  category?: string | null;
  actorUid?: string | null;
  targetId?: string | null;
  /** ISO date-times, inclusive. */
  from?: string | null;
  to?: string | null;
}

export interface AuditLog {
  /** Appends one entry. Never throws: a failed audit write is logged, not turned into a failed action. */
  write: (record: AuditRecord) => Promise<void>;
  /** A tenant's entries, newest first, filtered and paged by cursor. */
  page: (tenantId: string, filter: AuditFilter, args: PageArgs) => Promise<ReturnType<typeof toConnection<AuditRow>>>;
}

export interface AuditRow {
  _id: Types.ObjectId;
  tenantId: string | null;
  category: string;
  action: string;
  outcome: string;
  actorUid: string;
  actorRole: string;
  targetType: string | null;
  targetId: string | null;
  detail: string | null;
  clientAddress: string | null;
  userAgent: string | null;
  at: Date;
}

/** The collection, in each subgraph's own database, that holds its audit trail. */
export const AUDIT_COLLECTION = 'audit_log';

function isoDate(value: string | null | undefined, field: string): Date | null {
  if (value == null || value === '') return null;
  const d = new Date(value);
  if (value.length > 40 || Number.isNaN(d.getTime())) throw badInput('Give dates as ISO date-times.', field);
  return d;
}

/** The audit trail kept in one subgraph's own database. */
export function auditLogOn(conn: Connection, log?: Logger): AuditLog {
  const rows = () => conn.db!.collection<AuditRow>(AUDIT_COLLECTION);
  let indexed: Promise<unknown> | null = null;
  const ensureIndexes = () =>
    (indexed ??= rows()
      .createIndexes([{ key: { tenantId: 1, _id: -1 } }, { key: { tenantId: 1, actorUid: 1, _id: -1 } }, { key: { tenantId: 1, targetId: 1, _id: -1 } }])
      .catch(() => undefined));
  return {
    async write(record) {
      try {
        await ensureIndexes();
        await rows().insertOne({
          _id: new Types.ObjectId(),
          tenantId: record.tenantId,
          category: record.category,
          action: record.action.slice(0, 100),
          outcome: record.outcome,
          actorUid: record.actor.uid,
          actorRole: record.actor.role,
          targetType: record.target?.type ?? null,
          targetId: record.target?.id ?? null,
          detail: record.detail?.slice(0, 500) ?? null,
          clientAddress: record.clientAddress ?? null,
          userAgent: record.userAgent?.slice(0, 300) ?? null,
          at: record.at ?? new Date(),
        });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (log) log.error('audit write failed', { error: message });
        else process.stderr.write(`audit write failed: ${message}\n`);
      }
    },
    async page(tenantId, filter, args) {
      const { limit, after } = pageQuery(args);
      const query: Record<string, unknown> = { tenantId };
      const actions = filter.actions?.filter((a) => typeof a === 'string' && a.length > 0) ?? [];
      if (actions.length > 50) throw badInput('Filter by at most 50 actions.', 'actions');
      if (actions.length) query.action = { $in: actions };
      if (filter.category) query.category = String(filter.category);
      if (filter.actorUid) query.actorUid = String(filter.actorUid);
      if (filter.targetId) query.targetId = String(filter.targetId);
      const from = isoDate(filter.from, 'from');
      const to = isoDate(filter.to, 'to');
      if (from || to) query.at = { ...(from ? { $gte: from } : {}), ...(to ? { $lte: to } : {}) };
      if (after) query._id = { $lt: after };
      const found = await rows().find(query).sort({ _id: -1 }).limit(limit + 1).toArray();
      return toConnection(found as AuditRow[], limit);
    },
  };
}

/** GraphQL shape of an audit row (dates as ISO strings). */
export const AuditEntryResolvers = {
  id: (row: AuditRow) => String(row._id),
  actor: (row: AuditRow) => ({ uid: row.actorUid, role: row.actorRole }),
  target: (row: AuditRow) => (row.targetType ? { type: row.targetType, id: row.targetId } : null),
  at: (row: AuditRow) => row.at.toISOString(),
};

/** A resolver for a subgraph's audit query field: tenant admins read their own tenant's trail only. */
export function auditQueryResolver() {
  return async (_: unknown, args: { filter?: AuditFilter | null } & PageArgs, ctx: { identity: Identity | null; audit: AuditLog }) => {
    const { identity } = ctx;
    if (!identity) throw unauthenticated();
    if (identity.role !== Role.TENANT_ADMIN || !identity.tenantId) throw forbidden('Only tenant admins can read the audit trail.');
    return ctx.audit.page(identity.tenantId, args.filter ?? {}, args);
  };
}

/** How a subgraph's mutations are audited: the category of each (others take the default). */
export interface AuditOptions {
  /** The category of mutations not listed in `categories`. */
  category: AuditCategory;
  /** Mutation field name -> category. */
  categories?: Record<string, AuditCategory>;
  /** Mutation fields audited by their resolvers themselves (with more detail), or not at all. */
  skip?: string[];
  /** The Query field (declared in the subgraph's SDL) that lets tenant admins read this trail. */
  queryField: string;
}

const TARGET_ARGS = ['id', 'customerId', 'workOrderId', 'tenantId', 'versionId'] as const;

function targetOf(args: Record<string, unknown>, result: unknown): string | null {
  for (const key of TARGET_ARGS) if (typeof args[key] === 'string') return args[key] as string;
  const input = args.input as Record<string, unknown> | undefined;
  if (input && typeof input.workOrderId === 'string') return input.workOrderId;
  const r = result as Record<string, unknown> | null | undefined;
  if (r && typeof r === 'object') {
    if (r.id != null) return String(r.id);
    if (r._id != null) return String(r._id);
    const customer = r.customer as { _id?: unknown } | null | undefined;
    if (customer?._id != null) return String(customer._id);
  }
  return null;
}

interface AuditedContext {
  identity: Identity | null;
  audit: AuditLog;
  clientAddress?: string | null;
  userAgent?: string | null;
}

/**
 * Writes one audit entry for every mutation a signed-in caller runs (the field name is the action,
 * arguments other than the target id are never stored: they may hold passwords or personal data).
 * The writes finish before the response is sent, so what a caller was told happened is on record.
 */
export function auditPlugin<C extends AuditedContext>(options: AuditOptions): ApolloServerPlugin<C> {
  const skip = new Set(options.skip ?? []);
  return {
    async requestDidStart() {
      const writes: Promise<void>[] = [];
      return {
        async executionDidStart({ operation }) {
          // Only mutations are audited: a query gets no per-field hook at all (a list of 100
          // tickets resolves thousands of fields, each of which would pass through it).
          if (operation.operation !== 'mutation') return;
          return {
            willResolveField({ info, args, contextValue }) {
              if (info.parentType.name !== 'Mutation' || info.path.prev !== undefined) return;
              const field = info.fieldName;
              const identity = contextValue.identity;
              if (!identity || skip.has(field)) return;
              return (error, result) => {
                const category = options.categories?.[field] ?? options.category;
                const targetId = targetOf(args as Record<string, unknown>, result);
                const failed = !!error || (result as { ok?: unknown } | null)?.ok === false;
                writes.push(
                  contextValue.audit.write({
                    tenantId: identity.tenantId ?? (category === 'TENANT' ? targetId : null),
                    category,
                    action: field,
                    outcome: failed ? 'FAILURE' : 'SUCCESS',
                    actor: { uid: identity.uid, role: identity.role },
                    target: { type: category, id: targetId },
                    detail: error ? String((error as { extensions?: { code?: string } }).extensions?.code ?? 'error') : null,
                    clientAddress: contextValue.clientAddress ?? null,
                    userAgent: contextValue.userAgent ?? null,
                  }),
                );
              };
            },
          };
        },
        async willSendResponse() {
          await Promise.all(writes);
        },
      };
    },
  };
}

/** Actor and request facts for an explicit audit write from a resolver. */
export function auditContext(ctx: AuditedContext) {
  return {
    actor: ctx.identity ? { uid: ctx.identity.uid, role: ctx.identity.role } : { uid: 'anonymous', role: 'ANONYMOUS' },
    clientAddress: ctx.clientAddress ?? null,
    userAgent: ctx.userAgent ?? null,
  };
}
