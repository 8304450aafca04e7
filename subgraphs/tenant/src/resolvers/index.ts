import { Query } from './Query.ts';
import { Tenant } from './Tenant.ts';
import { Viewer } from './Viewer.ts';

export const resolvers = { Query, Viewer, Tenant };
