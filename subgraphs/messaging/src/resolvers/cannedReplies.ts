import { codedError, ErrorCode, forbidden, isDuplicateKey, isObjectId, isStaff, notFound, Role, unauthenticated, type Identity } from '@wisp/shared';
import { Types } from 'mongoose';
import type { Context } from '../context.ts';

const MAX_PER_TENANT = 200;
const TITLE_MAX = 80;
const BODY_MAX = 5_000;

interface CannedReplyRow {
  _id: Types.ObjectId;
  title: string;
  body: string;
  updatedAt: Date;
  updatedByName?: string | null;
}

const titleKey = (title: string) => title.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();

function staffOfTenant(identity: Identity | null): Identity & { tenantId: string } {
  if (!identity) throw unauthenticated();
  if (!isStaff(identity) || !identity.tenantId || identity.role === Role.INTEGRATOR) throw forbidden('Only staff use saved replies.');
  return identity as Identity & { tenantId: string };
}

function adminOfTenant(identity: Identity | null): Identity & { tenantId: string } {
  const who = staffOfTenant(identity);
  if (who.role !== Role.TENANT_ADMIN) throw forbidden('Only tenant admins manage saved replies.');
  return who;
}

function field(name: 'title' | 'body', value: unknown, max: number): string {
  const s = typeof value === 'string' ? value.trim() : '';
  if (!s) throw codedError(ErrorCode.BAD_USER_INPUT, `${name} must not be empty.`, { field: name });
  if (s.length > max) throw codedError(ErrorCode.BAD_USER_INPUT, `${name} must be at most ${max} characters.`, { field: name });
  return s;
}

export const CannedReply = {
  id: (r: CannedReplyRow) => String(r._id),
  updatedAt: (r: CannedReplyRow) => new Date(r.updatedAt).toISOString(),
  updatedByName: (r: CannedReplyRow) => r.updatedByName ?? null,
};

export const cannedReplyQueries = {
  cannedReplies: async (_: unknown, __: unknown, ctx: Context) => {
    const { tenantId } = staffOfTenant(ctx.identity);
    return ctx.models.CannedReply.find({ tenantId: new Types.ObjectId(tenantId) }).sort({ titleKey: 1 }).limit(MAX_PER_TENANT).lean();
  },
};

export const cannedReplyMutations = {
  saveCannedReply: async (_: unknown, { input }: { input: { id?: string | null; title: string; body: string } }, ctx: Context) => {
    const identity = adminOfTenant(ctx.identity);
    const tenantId = new Types.ObjectId(identity.tenantId);
    const title = field('title', input.title, TITLE_MAX);
    const body = field('body', input.body, BODY_MAX);
    const updatedByName = (await ctx.services.staff.get(identity.tenantId, identity.uid))?.name ?? null;
    const set = { title, titleKey: titleKey(title), body, updatedByName };
    try {
      if (input.id) {
        if (!isObjectId(input.id)) throw notFound('Saved reply');
        const saved = await ctx.models.CannedReply.findOneAndUpdate({ _id: new Types.ObjectId(input.id), tenantId }, { $set: set }, { new: true }).lean();
        if (!saved) throw notFound('Saved reply');
        return saved;
      }
      // The cap is checked before the insert: two admins adding the 200th at once may both succeed, which is harmless.
      if ((await ctx.models.CannedReply.countDocuments({ tenantId })) >= MAX_PER_TENANT) {
        throw codedError(ErrorCode.BAD_USER_INPUT, `A provider keeps at most ${MAX_PER_TENANT} saved replies; remove one first.`, { field: 'id' });
      }
      return (await ctx.models.CannedReply.create({ tenantId, ...set })).toObject();
    } catch (err) {
      // Saving the same new reply twice (a retried request) returns the one already saved.
      if (!isDuplicateKey(err)) throw err;
      const same = await ctx.models.CannedReply.findOne({ tenantId, titleKey: set.titleKey }).lean();
      if (same && !input.id && same.body === body) return same;
      throw codedError(ErrorCode.CONFLICT, 'Another saved reply already has this title.', { field: 'title' });
    }
  },

  deleteCannedReply: async (_: unknown, { id }: { id: string }, ctx: Context) => {
    const identity = adminOfTenant(ctx.identity);
    if (!isObjectId(id)) return false;
    const res = await ctx.models.CannedReply.deleteOne({ _id: new Types.ObjectId(id), tenantId: new Types.ObjectId(identity.tenantId) });
    return res.deletedCount === 1;
  },
};
