import { Types, type Connection } from 'mongoose';
import { connectMongo, type MongoOptions } from './mongo.ts';

/** What other services may know of a customer: read-only, from the customer subgraph's database. */
export interface CustomerInfo {
  id: string;
  tenantId: string;
  name: string;
  email: string | null;
  /**
   * Where ticket mail to the customer may go: the record's email (entered by staff), else the
   * portal login's email once confirmed. Null when there is none: an unconfirmed self-chosen
   * sign-up email gets nothing about the account.
   */
  ticketMailTo: string | null;
  site: string | null;
  sector: string | null;
  serviceStatus: string;
  plan: { name: string; downMbps: number; upMbps: number } | null;
  equipment: { model: string; serial: string | null; mac: string | null; lastSeenAt: Date | null }[];
}

export interface CustomerDirectory {
  /** One customer of a tenant, or null (unknown, malformed, or another tenant's). */
  get: (tenantId: string, customerId: string) => Promise<CustomerInfo | null>;
  /** Several customers of one tenant in one query; unknown ids are left out. */
  getMany: (tenantId: string, customerIds: string[]) => Promise<CustomerInfo[]>;
  /** Ids of a tenant's customers served from `site` (cancelled services left out), in one query. */
  idsAtSite: (tenantId: string, site: string) => Promise<string[]>;
  close: () => Promise<void>;
}

const HEX24 = /^[0-9a-f]{24}$/i;

function toInfo(doc: Record<string, any>): CustomerInfo {
  return {
    id: String(doc._id),
    tenantId: String(doc.tenantId),
    name: doc.name,
    email: doc.email ?? null,
    ticketMailTo: doc.email ?? (doc.portal?.email && doc.portal.emailVerified !== false ? doc.portal.email : null),
    site: doc.site ?? null,
    sector: doc.sector ?? null,
    serviceStatus: doc.serviceStatus ?? 'PENDING',
    plan: doc.plan ? { name: doc.plan.name, downMbps: doc.plan.downMbps, upMbps: doc.plan.upMbps } : null,
    equipment: (doc.equipment ?? []).map((e: Record<string, any>) => ({
      model: e.model,
      serial: e.serial ?? null,
      mac: e.mac ?? null,
      lastSeenAt: e.lastSeenAt ?? null,
    })),
  };
}

/**
 * Reads customers (site, plan, equipment) from the customer subgraph's database, for outages
 * ("everyone on Ridge Tower") and ticket service snapshots. Only the customer subgraph writes there.
 */
export function customerDirectoryOn(conn: Connection, ownsConnection = false): CustomerDirectory {
  const customers = () => conn.db!.collection('customers');
  const projection = { name: 1, email: 1, 'portal.email': 1, 'portal.emailVerified': 1, site: 1, sector: 1, serviceStatus: 1, plan: 1, equipment: 1, tenantId: 1 };
  return {
    async get(tenantId, customerId) {
      if (!HEX24.test(tenantId) || !HEX24.test(customerId)) return null;
      const doc = await customers().findOne({ _id: new Types.ObjectId(customerId), tenantId: new Types.ObjectId(tenantId) }, { projection });
      return doc ? toInfo(doc) : null;
    },
    async getMany(tenantId, customerIds) {
      const ids = [...new Set(customerIds.filter((id) => HEX24.test(id)))];
      if (!HEX24.test(tenantId) || ids.length === 0) return [];
      const docs = await customers()
        .find({ _id: { $in: ids.map((id) => new Types.ObjectId(id)) }, tenantId: new Types.ObjectId(tenantId) }, { projection })
        .toArray();
      return docs.map(toInfo);
    },
    async idsAtSite(tenantId, site) {
      if (!HEX24.test(tenantId)) return [];
      const docs = await customers()
        .find({ tenantId: new Types.ObjectId(tenantId), site, serviceStatus: { $ne: 'CANCELLED' } }, { projection: { _id: 1 } })
        .toArray();
      return docs.map((d) => String(d._id));
    },
    close: async () => {
      if (ownsConnection) await conn.close();
    },
  };
}

export async function openCustomerDirectory(mongo: MongoOptions): Promise<CustomerDirectory> {
  return customerDirectoryOn(await connectMongo('customer', mongo), true);
}
