/** Helpers for a subgraph's own tests (see tests/subgraphSetup.ts). */
import { randomBytes } from 'node:crypto';
import { newEvent, openEventLog, type EventLog, type StateOf, type StoredEvent } from '@wisp/events';
import type { Identity, MongoOptions } from '@wisp/shared';
import { gql, signedFor } from '@wisp/shared/testing';
import { Types } from 'mongoose';
import { inject } from 'vitest';

/** Databases of this test file alone, on the run's server; `touched` collects what each service sent commands to. */
export function ownDatabases(): { mongo: MongoOptions; touched: Map<string, Set<string>> } {
  const dbPrefix = `own_${randomBytes(4).toString('hex')}`;
  const touched = new Map<string, Set<string>>();
  const mongo: MongoOptions = {
    uri: inject('mongoUri'),
    dbPrefix,
    onCommand: (e) => {
      if (e.service && e.databaseName.startsWith(`${dbPrefix}_`)) touched.set(e.service, (touched.get(e.service) ?? new Set()).add(e.databaseName.slice(dbPrefix.length + 1)));
    },
  };
  return { mongo, touched };
}

export const newId = () => new Types.ObjectId().toHexString();

/** Plays the owner of another entity: appends the event its write would have relayed. */
export async function announce<E extends 'Tenant' | 'Customer' | 'WorkOrder'>(log: EventLog, entity: E, ids: { tenantId: string; id: string }, state: StateOf<E>): Promise<StoredEvent> {
  const base = { tenantId: ids.tenantId, entityId: ids.id, internal: false };
  if (entity === 'Tenant') return log.append({ ...newEvent('tenant.updated', { ...base, kind: 'updated', customerIds: [], payload: { fields: ['test'] } }), state });
  if (entity === 'Customer') return log.append({ ...newEvent('customer.updated', { ...base, kind: 'updated', customerIds: [ids.id], payload: { fields: ['test'], site: (state as StateOf<'Customer'>).site } }), state });
  const wo = state as StateOf<'WorkOrder'>;
  const facts = { number: wo.number, type: wo.type, status: wo.status, priority: wo.priority, category: wo.category, reporterCustomerId: wo.reporterCustomerId, affectedCustomerIds: wo.affectedCustomerIds };
  const customerIds = [...(wo.reporterCustomerId ? [wo.reporterCustomerId] : []), ...wo.affectedCustomerIds];
  return log.append({ ...newEvent('ticket.updated', { ...base, kind: 'updated', workOrderId: ids.id, customerIds, payload: { ...facts, fields: ['test'] } }), state });
}

export function customerState(name: string, overrides: Partial<StateOf<'Customer'>> = {}): StateOf<'Customer'> {
  return {
    accountNumber: `T-${randomBytes(3).toString('hex')}`,
    name,
    email: null,
    ticketMailTo: null,
    phone: null,
    contactPreferences: { email: true, sms: false },
    site: 'Ridge Tower',
    sector: null,
    serviceStatus: 'ACTIVE',
    plan: { name: 'Valley 100', downMbps: 100, upMbps: 20 },
    equipment: [{ model: 'LiteBeam', serial: 'LB-1', mac: null, lastSeenAt: null }],
    portalStatus: 'ACTIVE',
    ...overrides,
  };
}

export function tenantState(slug: string): StateOf<'Tenant'> {
  return {
    slug,
    name: `WISP ${slug}`,
    status: 'ACTIVE',
    authTenantId: null,
    branding: { companyName: `WISP ${slug}`, displayName: `WISP ${slug}`, colors: { primary: '#1d4ed8', secondary: '#0f172a', accent: '#f59e0b', background: '#ffffff', text: '#0f172a' } },
    brandingVersion: 0,
    domains: [],
  };
}

/** A GraphQL call straight to the subgraph, signed as the gateway would sign it for `identity`. */
export function callAs(url: string, identity: Identity | null, query: string, variables: Record<string, unknown> = {}) {
  return gql(url, query, variables, { headers: signedFor(identity, inject('identitySecret'), url, query, variables) });
}

export { openEventLog };
