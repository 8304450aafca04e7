import { notFound, unauthenticated } from '@wisp/shared';
import type { Context } from '../context.ts';
import { brandingTenantId, canSeeTenant, requireOperator } from './access.ts';
import { brandingHistory } from './brandingHistory.ts';
import { loadAdministeredTenantForReading } from './readTenant.ts';
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
    // Only what a login page needs: no admin contacts, no history, no internal ids. The sender
    // settings are no secret: every message the WISP sends shows them.
    const {
      companyName, displayName, logoUrl, logoAlt, faviconUrl, colors, welcomeMessage, footerText, supportEmail, supportPhone, supportHours, website, paymentPageUrl, customCss, faq, contact,
      timeZone, defaultLanguage, portalLanguages, mailFromName, mailFromAddress, smsSenderId,
    } = tenant.branding;
    return {
      companyName, displayName, logoUrl, logoAlt, faviconUrl, colors, welcomeMessage, footerText,
      supportEmail, supportPhone, supportHours, website, paymentPageUrl, customCss, faq, contact,
      timeZone, defaultLanguage, mailFromName, mailFromAddress, smsSenderId,
      portalLanguages,
      tenantSlug: tenant.slug,
      authTenantId: tenant.firebaseTenantId ?? null,
      suspended: tenant.status === 'SUSPENDED',
    };
  },

  statusPage: async (_: unknown, { host }: { host: string }, { models }: Context) => {
    const tenant = await resolvePortalHost(models, host);
    // A suspended WISP's portal shows a neutral page; its status page says nothing either.
    if (!tenant || tenant.status === 'SUSPENDED') return null;
    return { tenantId: String(tenant._id), timeZone: tenant.branding?.timeZone ?? null };
  },

  tenants: async (_: unknown, __: unknown, { identity, models }: Context) => {
    requireOperator(identity);
    return models.Tenant.find({}).sort({ slug: 1 }).lean();
  },

  brandingHistory: async (_: unknown, args: { tenantId?: string | null; first?: number | null; after?: string | null }, { identity, models }: Context) => {
    const tenant = await loadAdministeredTenantForReading(models, brandingTenantId(identity, args.tenantId));
    return brandingHistory(models, String(tenant._id), args);
  },
};
