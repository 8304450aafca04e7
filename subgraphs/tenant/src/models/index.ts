import type { Connection } from 'mongoose';
import type { Relay } from '@wisp/events';
import { apiKeyModel } from './ApiKey.ts';
import { assetModel } from './Asset.ts';
import { brandingVersionModel } from './BrandingVersion.ts';
import { domainModel } from './Domain.ts';
import { tenantModel } from './Tenant.ts';
import { webhookDeliveryModel } from './WebhookDelivery.ts';
import { webhookEndpointModel } from './WebhookEndpoint.ts';

export function createModels(conn: Connection) {
  return {
    Tenant: tenantModel(conn),
    BrandingVersion: brandingVersionModel(conn),
    Domain: domainModel(conn),
    Asset: assetModel(conn),
    ApiKey: apiKeyModel(conn),
    WebhookEndpoint: webhookEndpointModel(conn),
    WebhookDelivery: webhookDeliveryModel(conn),
    /** Moves the events saved with each tenant change to the event log; set when the subgraph starts. */
    relay: null as Relay | null,
  };
}
export type Models = ReturnType<typeof createModels>;
export type { TenantDoc } from './Tenant.ts';
export type { BrandingVersionDoc } from './BrandingVersion.ts';
