import { Customer } from './Customer.ts';
import { Mutation } from './Mutation.ts';
import { Query } from './Query.ts';
import { StatusPage } from './StatusPage.ts';
import { triageMutations } from './triage.ts';
import { CallbackRequest, WorkOrder } from './WorkOrder.ts';

export const resolvers = { Query, Mutation: { ...Mutation, ...triageMutations }, Customer, WorkOrder, CallbackRequest, StatusPage };
