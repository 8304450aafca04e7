import { randomBytes } from 'node:crypto';
import { connectMongo, createLogger, demoId } from '@wisp/shared';
import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createModels, type Models } from '../models/index.ts';
import { openPortalServices, unopenedPortalServices, type PortalServices } from './services.ts';
import { queueProvisioning, startProvisioningWorker } from './worker.ts';

describe('the provisioning worker', () => {
  let conn: Connection;
  let models: Models;
  let services: PortalServices;
  let closeServices: () => Promise<void>;
  beforeAll(async () => {
    const mongo = { uri: inject('mongoUri'), dbPrefix: inject('dbPrefix') };
    conn = await connectMongo('customer', mongo);
    models = createModels(conn);
    services = unopenedPortalServices();
    closeServices = await openPortalServices(services, conn, models, mongo, createLogger('worker-test'), randomBytes(32).toString('base64url'), { noSender: true });
  });
  afterAll(async () => {
    await closeServices();
    await conn.close();
  });

  it('runs each job exactly once while several workers compete for it', async () => {
    const tenantId = demoId('tenant:skyline');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const n = randomBytes(4).toString('hex');
      const _id = new Types.ObjectId();
      await models.Customer.create({ _id, tenantId, accountNumber: `SKY-W${n}`, name: `Worker Test ${n}`, email: `worker-${n}@example.com` });
      ids.push(String(_id));
    }
    // Two workers of our own, plus the running subgraph's.
    const log = createLogger('worker-test');
    const workers = [startProvisioningWorker({ models, services }, log, { pollMs: 20 }), startProvisioningWorker({ models, services }, log, { pollMs: 20 })];
    try {
      for (const customerId of ids) await queueProvisioning({ models }, { tenantId, customerId, actor: { uid: 'test', role: 'AGENT' } });
      // Queueing again (a retried create) adds no job.
      await queueProvisioning({ models }, { tenantId, customerId: ids[0]!, actor: { uid: 'test', role: 'AGENT' } });
      const until = Date.now() + 20_000;
      let jobs = await models.ProvisioningJob.find({ customerId: { $in: ids } }).lean();
      while (jobs.some((j) => j.status !== 'DONE') && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        jobs = await models.ProvisioningJob.find({ customerId: { $in: ids } }).lean();
      }
      expect(jobs.map((j) => [j.status, j.attempts])).toEqual(ids.map(() => ['DONE', 1]));
      for (const customerId of ids) {
        expect(await models.AuditEntry.countDocuments({ customerId, action: 'PROVISION' })).toBe(1);
        expect(await models.PortalLink.countDocuments({ _id: customerId })).toBe(1);
        const customer = await models.Customer.findById(customerId).lean();
        expect(customer?.portal?.status).toBe('INVITED');
        expect(await services.outbox.list({ tenantId, to: customer!.email!, kind: 'portal-welcome' })).toHaveLength(1);
      }
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
  });
});
