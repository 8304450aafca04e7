import { isObjectId, notFound } from '@wisp/shared';
import type { Models } from '../models/index.ts';

/** The tenant an admin reads about (history), suspended or not; unknown ids are NOT_FOUND. */
export async function loadAdministeredTenantForReading(models: Models, tenantId: string) {
  if (!isObjectId(tenantId)) throw notFound('Tenant');
  const tenant = await models.Tenant.findById(tenantId, { _id: 1 }).lean();
  if (!tenant) throw notFound('Tenant');
  return tenant;
}
