import { badInput, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from '@wisp/shared';
import type { Models } from '../models/index.ts';

const encode = (version: number) => Buffer.from(`v:${version}`).toString('base64url');

function decode(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const n = text.startsWith('v:') ? Number(text.slice(2)) : NaN;
  if (!Number.isInteger(n) || n < 0) throw badInput('The cursor is not valid.', 'after');
  return n;
}

/** A tenant's branding versions, newest first, paged by version number. */
export async function brandingHistory(models: Models, tenantId: string, args: { first?: number | null; after?: string | null }) {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) throw badInput(`first must be between 0 and ${MAX_PAGE_SIZE}.`, 'first');
  const before = args.after ? decode(args.after) : null;
  const rows = await models.BrandingVersion.find({ tenantId, ...(before === null ? {} : { version: { $lt: before } }) })
    .sort({ version: -1 })
    .limit(first + 1)
    .lean();
  const page = rows.slice(0, first);
  return {
    edges: page.map((node) => ({ cursor: encode(node.version), node })),
    pageInfo: { hasNextPage: rows.length > first, endCursor: page.length ? encode(page[page.length - 1]!.version) : null },
  };
}
