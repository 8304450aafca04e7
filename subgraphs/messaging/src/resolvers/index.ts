import { CannedReply, cannedReplyMutations, cannedReplyQueries } from './cannedReplies.ts';
import { Attachment, Message } from './Message.ts';
import { Mutation } from './Mutation.ts';
import { AgentNotification, Query } from './Query.ts';
import { WorkOrder } from './WorkOrder.ts';

export const resolvers = { Query: { ...Query, ...cannedReplyQueries }, Mutation: { ...Mutation, ...cannedReplyMutations }, WorkOrder, Message, Attachment, AgentNotification, CannedReply };
