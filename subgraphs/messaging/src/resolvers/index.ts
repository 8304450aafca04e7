import { Message } from './Message.ts';
import { WorkOrder } from './WorkOrder.ts';

export const resolvers = { WorkOrder, Message };
