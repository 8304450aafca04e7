import { Branding, FaqEntry, PortalBranding } from './Branding.ts';
import { ApiKey, apiKeyMutations, apiKeyQueries } from './apiKeys.ts';
import { BrandingVersion } from './BrandingVersion.ts';
import { Mutation } from './Mutation.ts';
import { Query } from './Query.ts';
import { Tenant } from './Tenant.ts';
import { Viewer } from './Viewer.ts';

export const resolvers = { Query: { ...Query, ...apiKeyQueries }, Mutation: { ...Mutation, ...apiKeyMutations }, Viewer, Tenant, Branding, PortalBranding, FaqEntry, BrandingVersion, ApiKey };
