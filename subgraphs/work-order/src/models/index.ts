import type { Connection } from 'mongoose';
import { callbackRequestModel } from './CallbackRequest.ts';
import { slaPolicyModel } from './SlaPolicy.ts';
import { visitBookingModel } from './VisitBooking.ts';
import { visitCapacityModel } from './VisitCapacity.ts';
import { workOrderModel } from './WorkOrder.ts';

export function createModels(conn: Connection) {
  return {
    WorkOrder: workOrderModel(conn),
    CallbackRequest: callbackRequestModel(conn),
    SlaPolicy: slaPolicyModel(conn),
    VisitCapacity: visitCapacityModel(conn),
    VisitBooking: visitBookingModel(conn),
  };
}
export type Models = ReturnType<typeof createModels>;
export type { WorkOrderDoc } from './WorkOrder.ts';
export type { CallbackRequestDoc } from './CallbackRequest.ts';
export { WORK_ORDER_STATUSES } from './WorkOrder.ts';
