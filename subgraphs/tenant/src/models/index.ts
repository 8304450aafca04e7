import type { Connection } from 'mongoose';
import { tenantModel } from './Tenant.ts';

export function createModels(conn: Connection) {
  return { Tenant: tenantModel(conn) };
}
export type Models = ReturnType<typeof createModels>;
export type { TenantDoc } from './Tenant.ts';
