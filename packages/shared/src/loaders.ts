import DataLoader from 'dataloader';
import { Types, type Model } from 'mongoose';

/** True for a 24-hex-digit id; anything else can never name a document. */
export function isObjectId(id: unknown): id is string {
  return typeof id === 'string' && /^[0-9a-f]{24}$/i.test(id);
}

/**
 * Loads documents by id with one `$in` query per batch (entity references and list fields of a
 * federated query arrive in batches). Malformed ids resolve to null without touching the database.
 */
export function byIdLoader<T>(model: Model<T>): DataLoader<string, (T & { _id: Types.ObjectId }) | null> {
  return new DataLoader(async (ids) => {
    const valid = [...new Set(ids.filter(isObjectId))];
    const docs = valid.length ? await model.find({ _id: { $in: valid.map((id) => new Types.ObjectId(id)) } }).lean<(T & { _id: Types.ObjectId })[]>() : [];
    const byId = new Map(docs.map((d) => [String(d._id), d]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
