import type { CustomerDirectory, CustomerInfo, Logger, TenantDirectory, TenantInfo } from '@wisp/shared';
import type { Connection } from 'mongoose';
import type { EventLog } from './eventLog.ts';
import { startReadModel, type Known, type ReadModel } from './readModel.ts';

/** Where a service keeps its read models: its own database, fed from the shared event log. */
export interface DirectoryOptions {
  /** The consuming service's OWN connection. */
  conn: Connection;
  log: EventLog;
  logger: Logger;
  pollMs?: number;
}

function tenantInfo(t: Known<'Tenant'>): TenantInfo {
  return { id: t.id, slug: t.slug, name: t.name, status: t.status, authTenantId: t.authTenantId, branding: t.branding, domains: t.domains };
}

/**
 * The tenants as this service knows them (branding for mail, the Firebase tenant for logins), kept
 * from the tenant subgraph's events in this service's own database.
 */
export async function openTenantDirectory(options: DirectoryOptions): Promise<TenantDirectory & { model: ReadModel<'Tenant'> }> {
  const model = await startReadModel({ ...options, name: 'tenants', entity: 'Tenant', indexes: [{ 'state.slug': 1 }] });
  return {
    model,
    async get(tenantId) {
      const t = await model.get(tenantId, tenantId);
      return t ? tenantInfo(t) : null;
    },
    async bySlug(slug) {
      if (typeof slug !== 'string' || !/^[a-z0-9-]{1,63}$/.test(slug)) return null;
      let [t] = await model.find({ 'state.slug': slug }, 1);
      if (!t) {
        await model.settled();
        [t] = await model.find({ 'state.slug': slug }, 1);
      }
      return t ? tenantInfo(t) : null;
    },
    close: () => model.stop(),
  };
}

function customerInfo(c: Known<'Customer'>): CustomerInfo {
  return {
    id: c.id,
    tenantId: c.tenantId,
    name: c.name,
    email: c.email,
    ticketMailTo: c.ticketMailTo,
    site: c.site,
    sector: c.sector,
    serviceStatus: c.serviceStatus,
    plan: c.plan,
    equipment: c.equipment.map((e) => ({ ...e, lastSeenAt: e.lastSeenAt ? new Date(e.lastSeenAt) : null })),
    portalStatus: c.portalStatus,
  };
}

/**
 * The customers as this service knows them (site, plan, equipment, where mail may go), kept from
 * the customer subgraph's events in this service's own database.
 */
export async function openCustomerDirectory(options: DirectoryOptions): Promise<CustomerDirectory & { model: ReadModel<'Customer'> }> {
  const model = await startReadModel({ ...options, name: 'customers', entity: 'Customer', indexes: [{ tenantId: 1, 'state.site': 1 }] });
  return {
    model,
    async get(tenantId, customerId) {
      const c = await model.get(tenantId, customerId);
      return c ? customerInfo(c) : null;
    },
    async getMany(tenantId, customerIds) {
      return (await model.getMany(tenantId, customerIds)).map(customerInfo);
    },
    async idsAtSite(tenantId, site) {
      // Who an outage reaches: read once the model holds every change made before this call.
      await model.settled();
      const rows = await model.find({ tenantId, 'state.site': site, 'state.serviceStatus': { $ne: 'CANCELLED' } });
      return rows.map((r) => r.id);
    },
    settled: () => model.settled(),
    close: () => model.stop(),
  };
}
