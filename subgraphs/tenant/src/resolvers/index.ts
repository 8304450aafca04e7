import { Branding, FaqEntry, PortalBranding } from './Branding.ts';
import { ApiKey, apiKeyMutations, apiKeyQueries } from './apiKeys.ts';
import { BrandingVersion } from './BrandingVersion.ts';
import { Mutation } from './Mutation.ts';
import { Query } from './Query.ts';
import { Tenant } from './Tenant.ts';
import { Viewer } from './Viewer.ts';
import { changeFeedQueries } from './changeFeed.ts';
import { WebhookDelivery, WebhookEndpoint, webhookMutations, webhookQueries } from './webhooks.ts';

export const resolvers = { Query: { ...Query, ...apiKeyQueries, ...webhookQueries, ...changeFeedQueries }, Mutation: { ...Mutation, ...apiKeyMutations, ...webhookMutations }, Viewer, Tenant, Branding, PortalBranding, FaqEntry, BrandingVersion, ApiKey, WebhookEndpoint, WebhookDelivery };
