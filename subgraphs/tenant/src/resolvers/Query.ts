import { notFound, unauthenticated } from '@wisp/shared';
import type { Context } from '../context.ts';
import { canSeeTenant } from './access.ts';
import { resolvePortalHost } from './portalHost.ts';

export const Query = {
  viewer: (_: unknown, __: unknown, { identity }: Context) =>
    identity ? { uid: identity.uid, role: identity.role, tenantId: identity.tenantId } : null,

  tenant: async (_: unknown, { slug }: { slug: string }, { identity, models }: Context) => {
    if (!identity) throw unauthenticated();
    const tenant = await models.Tenant.findOne({ slug: String(slug).toLowerCase() }).lean();
    // Another tenant's slug answers exactly like an unknown one: no probing which WISPs exist.
    if (!tenant || !canSeeTenant(identity, String(tenant._id))) throw notFound('Tenant');
    return tenant;
  },

  portalBranding: async (_: unknown, { host }: { host: string }, { models }: Context) => {
    const tenant = await resolvePortalHost(models, host);
    if (!tenant) return null;
    return {
      ...tenant.branding,
      tenantSlug: tenant.slug,
      authTenantId: tenant.firebaseTenantId ?? null,
      suspended: tenant.status === 'SUSPENDED',
    };
  },
};
