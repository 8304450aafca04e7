import { Attachment, Message } from './Message.ts';
import { Mutation } from './Mutation.ts';
import { AgentNotification, Query } from './Query.ts';
import { WorkOrder } from './WorkOrder.ts';

export const resolvers = { Query, Mutation, WorkOrder, Message, Attachment, AgentNotification };
