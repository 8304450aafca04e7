import type { Connection } from 'mongoose';
import { workOrderModel } from './WorkOrder.ts';

export function createModels(conn: Connection) {
  return { WorkOrder: workOrderModel(conn) };
}
export type Models = ReturnType<typeof createModels>;
export type { WorkOrderDoc } from './WorkOrder.ts';
