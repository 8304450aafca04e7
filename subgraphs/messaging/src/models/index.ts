import type { Connection } from 'mongoose';
import { messageModel } from './Message.ts';

export function createModels(conn: Connection) {
  return { Message: messageModel(conn) };
}
export type Models = ReturnType<typeof createModels>;
export type { MessageDoc } from './Message.ts';
