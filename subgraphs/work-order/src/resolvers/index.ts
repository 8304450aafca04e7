import { Customer } from './Customer.ts';
import { Query } from './Query.ts';
import { WorkOrder } from './WorkOrder.ts';

export const resolvers = { Query, Customer, WorkOrder };
