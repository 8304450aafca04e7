/**
 * Which declared index MongoDB 7 would answer a query from. A query's shape is its equality
 * fields, its sort and its range fields; an index serves it when its keys start with every
 * equality field (any order), continue with the sort (all directions as given, or all reversed)
 * and hold the range fields after that: the equality-sort-range rule. A lookup on `_id`, or on
 * every key of a unique index, reads one document whatever else it filters on.
 */
import { Types } from 'mongoose';

export type Direction = 1 | -1;
export interface DeclaredIndex {
  keys: [string, Direction][];
  unique: boolean;
}
export interface QueryShape {
  /** `service.collection`, e.g. `work-order.workorders`. */
  collection: string;
  eq: string[];
  sort: [string, Direction][];
  range: string[];
  /** Alternatives of an `$or`: each must be served by an index of its own (the sort then runs on their union). */
  or?: Omit<QueryShape, 'collection' | 'or' | 'sort'>[];
}

const isValue = (v: unknown) =>
  v === null ||
  typeof v !== 'object' ||
  v instanceof Date ||
  v instanceof RegExp ||
  v instanceof Types.ObjectId ||
  Buffer.isBuffer(v) ||
  Array.isArray(v) ||
  ['ObjectId', 'BSONRegExp', 'Binary', 'Decimal128', 'Long', 'Timestamp'].includes((v as { _bsontype?: string })._bsontype ?? '');

/** Operators that cannot narrow an index scan: such a field is a post-filter whatever the indexes. */
const NOT_SELECTIVE = new Set(['$ne', '$nin', '$not', '$exists', '$type', '$size']);

/** The shape of a filter as a query planner sees it; `residual` fields are ignored (see {@link RESIDUAL}). */
export function shapeOf(collection: string, filter: Record<string, unknown> | null | undefined, sort: Record<string, unknown> | null | undefined, residual: ReadonlySet<string> = new Set()): QueryShape {
  const shape: QueryShape = { collection, eq: [], sort: [], range: [] };
  const walk = (f: Record<string, unknown>, into: { eq: string[]; range: string[] }) => {
    for (const [k, v] of Object.entries(f ?? {})) {
      if (k === '$and') for (const part of v as Record<string, unknown>[]) walk(part, into);
      else if (k === '$or') {
        const branches = (v as Record<string, unknown>[]).map((b) => {
          const s = { eq: [] as string[], range: [] as string[] };
          walk(b, s);
          return s;
        });
        if (branches.some((b) => b.eq.length || b.range.length)) shape.or = [...(shape.or ?? []), ...branches];
      } else if (k.startsWith('$') || residual.has(k)) continue;
      else if (v instanceof RegExp || (v as { _bsontype?: string })?._bsontype === 'BSONRegExp') into.range.push(k);
      else if (isValue(v)) into.eq.push(k);
      else {
        const ops = Object.keys(v as object);
        if (ops.some((op) => op === '$eq' || op === '$in')) into.eq.push(k);
        // `$exists: true` is answered by a (sparse) index on the field: documents without it are not in it.
        else if (ops.length === 1 && (v as { $exists?: unknown }).$exists === true) into.range.push(k);
        else if (ops.every((op) => NOT_SELECTIVE.has(op) || op === '$options')) continue;
        else into.range.push(k);
      }
    }
  };
  walk(filter ?? {}, shape);
  // The driver hands sorts over as a Map (key order matters).
  shape.sort = (sort instanceof Map ? [...sort.entries()] : Object.entries(sort ?? {})).map(([k, d]) => [k, Number(d) < 0 ? -1 : 1] as [string, Direction]);
  return shape;
}

function serves(index: DeclaredIndex, eq: string[], sort: [string, Direction][], range: string[]): boolean {
  const eqSet = new Set(eq);
  if (eqSet.has('_id') || (index.unique && index.keys.every(([k]) => eqSet.has(k)))) return true;
  let i = 0;
  while (i < index.keys.length && eqSet.has(index.keys[i]![0])) i++;
  if (eq.some((f) => !index.keys.slice(0, i).some(([k]) => k === f))) return false;
  const rest = index.keys.slice(i);
  const order = sort.filter(([f]) => !eqSet.has(f));
  if (order.length) {
    if (rest.length < order.length) return false;
    const flip = rest[0]![1] === order[0]![1] ? 1 : -1;
    if (!order.every(([f, d], j) => rest[j]![0] === f && rest[j]![1] * flip === d)) return false;
  }
  if (!range.every((f) => rest.some(([k]) => k === f))) return false;
  // Something must narrow the scan or order it; a bare collection scan is never "served".
  return i > 0 || order.length > 0 || range.length > 0;
}

/** The index that serves a shape (for an `$or`, one per alternative), or null. */
export function servingIndex(shape: QueryShape, indexes: DeclaredIndex[]): DeclaredIndex[] | null {
  const all: DeclaredIndex[] = [{ keys: [['_id', 1]], unique: true }, ...indexes];
  if (shape.or?.length) {
    const picks = shape.or.map((b) => all.find((ix) => serves(ix, [...shape.eq, ...b.eq], [], [...shape.range, ...b.range])) ?? null);
    return picks.every(Boolean) ? (picks as DeclaredIndex[]) : null;
  }
  const pick = all.find((ix) => serves(ix, shape.eq, shape.sort, shape.range));
  return pick ? [pick] : null;
}

export const describeShape = (s: QueryShape) =>
  `${s.collection} eq(${s.eq.join(',')})${s.range.length ? ` range(${s.range.join(',')})` : ''}${s.or ? ` or[${s.or.map((b) => [...b.eq, ...b.range.map((r) => `${r}~`)].join('+')).join(' | ')}]` : ''}${s.sort.length ? ` sort(${s.sort.map(([k, d]) => `${k}:${d}`).join(',')})` : ''}`;
