import { badInput, isDuplicateKey, isObjectId } from '@wisp/shared';
import { PENDING_EVENTS, type ChangeEvent } from '@wisp/events';
import { Types } from 'mongoose';
import type { Context } from '../context.ts';
import { customerEvent, updateCustomerWithEvents } from '../customerEvents.ts';
import { staffTenant } from './access.ts';
import { checkCustomerFields, type CustomerFieldsInput, type FieldError } from './customerInput.ts';

/** Most rows in one sync call. */
export const MAX_SYNC_ROWS = 500;
/** Rows of one call written at once (each is a few round trips to the database). */
const SYNC_CONCURRENCY = 8;

type Row = CustomerFieldsInput & { externalId?: string | null };
type CustomerRow = Record<string, any> & { _id: Types.ObjectId; tenantId: Types.ObjectId };

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The equipment to store: the integrator's list, keeping what monitoring reported of devices it still lists. */
function mergedEquipment(before: Record<string, any>[] = [], next: Record<string, any>[]) {
  return next.map((e) => {
    const known = before.find((b) => (e.serial && b.serial === e.serial) || (e.mac && b.mac === e.mac));
    return known ? { ...e, installedAt: e.installedAt ?? known.installedAt, lastSeenAt: known.lastSeenAt, signalDbm: known.signalDbm, online: known.online } : e;
  });
}

const comparable = (e: Record<string, any>[]) => e.map(({ model, serial, mac }) => ({ model, serial: serial ?? null, mac: mac ?? null }));

async function findExisting(ctx: Context, tenantId: string, row: Row, externalId: string | null): Promise<CustomerRow | null> {
  if (externalId) {
    const link = await ctx.models.CustomerExternalId.findById(`${tenantId}:${externalId}`).lean();
    if (link) return ctx.models.Customer.findOne({ _id: link.customerId, tenantId }).lean<CustomerRow>();
  }
  return ctx.models.Customer.findOne({ tenantId, accountNumber: String(row.accountNumber ?? '').trim() }).lean<CustomerRow>();
}

/** Creates or updates one customer; never throws for bad input (the row's errors say what is wrong). */
async function upsertOne(ctx: Context, tenantId: string, row: Row, index: number) {
  const fail = (errors: FieldError[]) => ({ index, ok: false, created: false, changed: false, customer: null, errors });
  const externalId = row.externalId == null ? null : String(row.externalId).trim();
  if (externalId !== null && (externalId.length < 1 || externalId.length > 100)) return fail([{ field: 'externalId', message: 'An external id has 1 to 100 characters.' }]);
  const { errors, set } = checkCustomerFields(row, true);
  if (errors.length) return fail(errors);
  if (externalId) set.externalId = externalId;

  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await findExisting(ctx, tenantId, row, externalId);
    if (existing) {
      if (externalId && existing.externalId && existing.externalId !== externalId) {
        return fail([{ field: 'externalId', message: `Account ${existing.accountNumber} already belongs to the external id ${existing.externalId}.` }]);
      }
      const next: Record<string, unknown> = { ...set };
      if (Array.isArray(next.equipment)) next.equipment = mergedEquipment(existing.equipment, next.equipment as Record<string, any>[]);
      const changed = Object.keys(next).filter((k) => (k === 'equipment' ? !same(comparable(existing.equipment ?? []), comparable(next.equipment as Record<string, any>[])) : !same(existing[k], next[k])));
      if (!changed.length) return { index, ok: true, created: false, changed: false, customer: existing, errors: [] };
      const update = Object.fromEntries(changed.map((k) => [k, next[k]]));
      const events: ChangeEvent[] = [customerEvent(existing, 'customer.updated', 'updated', { fields: changed, site: (update.site as string | undefined) ?? existing.site ?? null })];
      const filter: Record<string, unknown> = { _id: existing._id, tenantId };
      if (update.serviceStatus && update.serviceStatus !== existing.serviceStatus) {
        events.push(customerEvent(existing, 'customer.serviceStatusChanged', 'service_status_changed', { from: existing.serviceStatus ?? null, to: String(update.serviceStatus) }));
        filter.serviceStatus = existing.serviceStatus;
      }
      try {
        const res = await updateCustomerWithEvents({ models: ctx.models, services: ctx.models.services }, filter, { $set: update }, events);
        if (res.matchedCount === 0) continue; // changed meanwhile: read it again
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        return fail([{ field: 'accountNumber', message: 'Another customer already has this account number.' }]);
      }
      if (externalId && !existing.externalId) await ctx.models.CustomerExternalId.create({ _id: `${tenantId}:${externalId}`, customerId: existing._id }).catch((err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
      });
      return { index, ok: true, created: false, changed: true, customer: await ctx.models.Customer.findById(existing._id).lean(), errors: [] };
    }

    // New: the external id is claimed first, so of two syncs at once one creates and the other updates.
    let _id = new Types.ObjectId();
    if (externalId) {
      try {
        await ctx.models.CustomerExternalId.create({ _id: `${tenantId}:${externalId}`, customerId: _id });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const link = await ctx.models.CustomerExternalId.findById(`${tenantId}:${externalId}`).lean();
        if (!link) continue;
        // Claimed by a sync that may have died before writing the customer: write it under that id.
        _id = link.customerId as Types.ObjectId;
        if (await ctx.models.Customer.exists({ _id })) continue;
      }
    }
    const created = customerEvent({ _id, tenantId }, 'customer.created', 'created', {
      accountNumber: String(set.accountNumber),
      site: (set.site as string | undefined) ?? null,
      serviceStatus: (set.serviceStatus as string | undefined) ?? 'PENDING',
    });
    try {
      await ctx.models.Customer.create({ _id, ...set, tenantId: new Types.ObjectId(tenantId), contactPreferences: { email: true, sms: false }, [PENDING_EVENTS]: [created] });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      if (await ctx.models.Customer.exists({ _id })) continue;
      // The account number is another customer's: unless that is this external id's customer, refuse.
      if (externalId) await ctx.models.CustomerExternalId.deleteOne({ _id: `${tenantId}:${externalId}`, customerId: _id });
      if (!externalId) continue;
      return fail([{ field: 'accountNumber', message: 'Another customer already has this account number.' }]);
    }
    await ctx.models.services.relay?.flush(ctx.models.Customer, _id);
    return { index, ok: true, created: true, changed: true, customer: await ctx.models.Customer.findById(_id).lean(), errors: [] };
  }
  return fail([{ field: 'accountNumber', message: 'The customer kept changing while it was synced; send the row again.' }]);
}

interface Reading {
  customerId?: string | null;
  externalId?: string | null;
  accountNumber?: string | null;
  serial?: string | null;
  mac?: string | null;
  lastSeenAt?: string | null;
  signalDbm?: number | null;
  online?: boolean | null;
}

async function readingOne(ctx: Context, tenantId: string, r: Reading, index: number) {
  const no = (message: string) => ({ index, ok: false, message });
  let customer: CustomerRow | null = null;
  if (r.customerId) customer = isObjectId(r.customerId) ? await ctx.models.Customer.findOne({ _id: r.customerId, tenantId }).lean<CustomerRow>() : null;
  else if (r.externalId || r.accountNumber) customer = await findExisting(ctx, tenantId, { accountNumber: r.accountNumber ?? '' }, r.externalId ?? null);
  else return no('Name the customer: customerId, externalId or accountNumber.');
  if (!customer) return no('Customer not found.');
  const mac = r.mac?.trim().toUpperCase();
  const i = (customer.equipment ?? []).findIndex((e: Record<string, any>) => (r.serial && e.serial === r.serial) || (mac && e.mac === mac));
  if (i < 0) return no('The customer has no device with this serial or MAC address.');
  const set: Record<string, unknown> = {};
  if (r.lastSeenAt) {
    const at = new Date(r.lastSeenAt);
    if (Number.isNaN(at.getTime())) return no('lastSeenAt is not a date.');
    set[`equipment.${i}.lastSeenAt`] = at;
  }
  if (typeof r.signalDbm === 'number') {
    if (!Number.isFinite(r.signalDbm) || r.signalDbm < -120 || r.signalDbm > 0) return no('signalDbm is between -120 and 0.');
    set[`equipment.${i}.signalDbm`] = r.signalDbm;
  }
  if (typeof r.online === 'boolean') set[`equipment.${i}.online`] = r.online;
  if (!Object.keys(set).length) return no('Send lastSeenAt, signalDbm or online.');
  const device = customer.equipment[i];
  // Readings come every few minutes: only a change of online state is news for other services.
  const flips = typeof r.online === 'boolean' && device.online !== r.online;
  if (flips) {
    await updateCustomerWithEvents({ models: ctx.models, services: ctx.models.services }, { _id: customer._id, tenantId }, { $set: set }, [
      customerEvent(customer, 'customer.updated', 'updated', { fields: ['equipment.online'], site: customer.site ?? null }),
    ]);
  } else {
    await ctx.models.Customer.updateOne({ _id: customer._id, tenantId }, { $set: set });
  }
  return { index, ok: true, message: null };
}

export const customerSyncMutations = {
  upsertCustomers: async (_: unknown, { rows }: { rows: Row[] }, ctx: Context) => {
    const tenantId = staffTenant(ctx.identity);
    if (rows.length > MAX_SYNC_ROWS) throw badRows();
    // Rows naming the same customer go one after another (in order); different customers side by side.
    const lanes = new Map<string, Row[]>();
    rows.forEach((row) => {
      const key = row.externalId ? `x:${String(row.externalId).trim()}` : `a:${String(row.accountNumber ?? '').trim()}`;
      lanes.set(key, [...(lanes.get(key) ?? []), row]);
    });
    const results: Awaited<ReturnType<typeof upsertOne>>[] = new Array(rows.length);
    const queue = [...lanes.values()];
    const worker = async () => {
      for (let lane = queue.shift(); lane; lane = queue.shift()) {
        for (const row of lane) {
          const i = rows.indexOf(row);
          results[i] = await upsertOne(ctx, tenantId, row, i);
        }
      }
    };
    await Promise.all(Array.from({ length: SYNC_CONCURRENCY }, worker));
    return results;
  },
  reportEquipmentTelemetry: async (_: unknown, { readings }: { readings: Reading[] }, ctx: Context) => {
    const tenantId = staffTenant(ctx.identity);
    if (readings.length > MAX_SYNC_ROWS) throw badRows();
    const results = [];
    for (const [i, r] of readings.entries()) results.push(await readingOne(ctx, tenantId, r, i));
    return results;
  },
};

const badRows = () => badInput(`At most ${MAX_SYNC_ROWS} rows per call.`, 'rows');
