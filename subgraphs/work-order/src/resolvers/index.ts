import { Customer } from './Customer.ts';
import { Mutation } from './Mutation.ts';
import { Query } from './Query.ts';
import { slaFields, slaMutations, slaQueries } from './sla.ts';
import { StatusPage } from './StatusPage.ts';
import { triageMutations } from './triage.ts';
import { CallbackRequest, WorkOrder } from './WorkOrder.ts';
import { visitFields, visitMutations, visitQueries } from './visits.ts';

export const resolvers = {
  Query: { ...Query, ...slaQueries, ...visitQueries },
  Mutation: { ...Mutation, ...triageMutations, ...slaMutations, ...visitMutations },
  Customer,
  WorkOrder: { ...WorkOrder, ...slaFields, ...visitFields },
  CallbackRequest,
  StatusPage,
};
