import type { Connection } from 'mongoose';
import { customerModel } from './Customer.ts';

export function createModels(conn: Connection) {
  return { Customer: customerModel(conn) };
}
export type Models = ReturnType<typeof createModels>;
export type { CustomerDoc } from './Customer.ts';
