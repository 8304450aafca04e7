import { Customer } from './Customer.ts';
import { Mutation } from './Mutation.ts';
import { Query } from './Query.ts';
import { StatusPage } from './StatusPage.ts';
import { triageMutations } from './triage.ts';
import { CallbackRequest, WorkOrder } from './WorkOrder.ts';
import { visitFields, visitMutations, visitQueries } from './visits.ts';

export const resolvers = { Query: { ...Query, ...visitQueries }, Mutation: { ...Mutation, ...triageMutations, ...visitMutations }, Customer, WorkOrder: { ...WorkOrder, ...visitFields }, CallbackRequest, StatusPage };
