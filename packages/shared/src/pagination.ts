import { Types } from 'mongoose';
import { badInput } from './errors.ts';

/** Page size when a client passes no `first`. @default 20 */
export const DEFAULT_PAGE_SIZE = 20;
/** Largest page a client may ask for. @default 100 */
export const MAX_PAGE_SIZE = 100;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export function encodeCursor(id: Types.ObjectId | string): string {
  return Buffer.from(`c:${String(id)}`).toString('base64url');
}

export function decodeCursor(cursor: string): Types.ObjectId {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = text.startsWith('c:') ? text.slice(2) : '';
  if (!Types.ObjectId.isValid(id) || id.length !== 24) throw badInput('The cursor is not valid.', 'after');
  return new Types.ObjectId(id);
}

/** Validates `first`/`after` and gives the `_id` bound and limit for a keyset page. */
export function pageQuery(args: PageArgs): { limit: number; after: Types.ObjectId | null } {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 0 and ${MAX_PAGE_SIZE}.`, 'first');
  }
  return { limit: first, after: args.after ? decodeCursor(args.after) : null };
}

/** Turns `limit + 1` rows fetched in cursor order into a connection. */
export function toConnection<T extends { _id: Types.ObjectId }>(rows: T[], limit: number): Connection<T> {
  const page = rows.slice(0, limit);
  return {
    edges: page.map((node) => ({ cursor: encodeCursor(node._id), node })),
    pageInfo: { hasNextPage: rows.length > limit, endCursor: page.length ? encodeCursor(page[page.length - 1]!._id) : null },
  };
}
