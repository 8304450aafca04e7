import { Customer } from './Customer.ts';
import { Query } from './Query.ts';
import { Viewer } from './Viewer.ts';

export const resolvers = { Query, Viewer, Customer };
