import type { Connection } from 'mongoose';
import { attachmentLinkModel, attachmentModels } from './Attachment.ts';
import { cannedReplyModel } from './CannedReply.ts';
import { conversationSummaryModel } from './ConversationSummary.ts';
import { inboundEmailRejectionModel } from './InboundEmailRejection.ts';
import { messageModel } from './Message.ts';
import { readReceiptModel } from './ReadReceipt.ts';

export function createModels(conn: Connection) {
  return { Message: messageModel(conn), ConversationSummary: conversationSummaryModel(conn), ReadReceipt: readReceiptModel(conn), ...attachmentModels(conn), AttachmentLink: attachmentLinkModel(conn), InboundEmailRejection: inboundEmailRejectionModel(conn), CannedReply: cannedReplyModel(conn) };
}
export type Models = ReturnType<typeof createModels>;
export type { MessageDoc } from './Message.ts';
export type { AttachmentDoc } from './Attachment.ts';
