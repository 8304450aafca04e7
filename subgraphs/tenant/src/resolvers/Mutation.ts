import type { Context } from '../context.ts';
import { saveBranding } from '../branding/brandingService.ts';
import type { BrandingInput } from '../branding/validateBranding.ts';
import { brandingTenantId, requireOperator } from './access.ts';
import { addTenantDomain, createTenant, removeTenantDomain, renameTenant, setTenantStatus } from './tenantRegistry.ts';

export const Mutation = {
  createTenant: (_: unknown, { input }: { input: { slug: string; name: string; firstAdminEmail?: string | null; clientMutationId?: string | null } }, { identity, models }: Context) =>
    createTenant(models, requireOperator(identity), input),

  renameTenant: (_: unknown, { id, name }: { id: string; name: string }, { identity, models }: Context) => {
    requireOperator(identity);
    return renameTenant(models, id, name);
  },

  suspendTenant: (_: unknown, { id }: { id: string }, { identity, models }: Context) => {
    requireOperator(identity);
    return setTenantStatus(models, id, 'SUSPENDED');
  },

  reactivateTenant: (_: unknown, { id }: { id: string }, { identity, models }: Context) => {
    requireOperator(identity);
    return setTenantStatus(models, id, 'ACTIVE');
  },

  addTenantDomain: (_: unknown, { id, domain }: { id: string; domain: string }, { identity, models }: Context) => {
    requireOperator(identity);
    return addTenantDomain(models, id, domain);
  },

  removeTenantDomain: (_: unknown, { id, domain }: { id: string; domain: string }, { identity, models }: Context) => {
    requireOperator(identity);
    return removeTenantDomain(models, id, domain);
  },

  updateBranding: (
    _: unknown,
    args: { tenantId?: string | null; input: BrandingInput; expectedVersion?: number | null; acknowledgeContrastWarnings?: boolean | null },
    { identity, models }: Context,
  ) => {
    const tenantId = brandingTenantId(identity, args.tenantId);
    return saveBranding(models, identity!, tenantId, { input: args.input, expectedVersion: args.expectedVersion, acknowledgeContrastWarnings: args.acknowledgeContrastWarnings });
  },

  restoreBranding: (_: unknown, args: { tenantId?: string | null; versionId: string }, { identity, models }: Context) => {
    const tenantId = brandingTenantId(identity, args.tenantId);
    return saveBranding(models, identity!, tenantId, { restore: { versionId: args.versionId } });
  },
};
