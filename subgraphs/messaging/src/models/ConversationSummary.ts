import { Schema, type Connection } from 'mongoose';
import { SUMMARIES } from '../conversationSummary.ts';

/**
 * Declares the summaries' collection beside the other models (its only lookup is by `_id`, the
 * work order's id). Reads and writes go through conversationSummary.ts, which the work-order
 * subgraph and the seed share.
 */
const summarySchema = new Schema({ _id: Schema.Types.ObjectId }, { strict: false, versionKey: false });

export function conversationSummaryModel(conn: Connection) {
  return conn.model('ConversationSummary', summarySchema, SUMMARIES);
}
