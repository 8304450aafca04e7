import { byIdLoader } from '@wisp/shared';
import DataLoader from 'dataloader';
import type { Models } from './models/index.ts';
import type { ProvisioningJobDoc } from './models/ProvisioningJob.ts';

export function createLoaders(models: Models) {
  return {
    customer: byIdLoader(models.Customer),
    /** Balances from the billing system, by customer id. */
    billingAccount: byIdLoader(models.BillingAccount),
    /** Invoice PDFs' metadata, by file id. */
    billingFile: byIdLoader(models.BillingFile),
    /** Provisioning jobs by id (`provision:<customerId>`), one `$in` query per batch. */
    provisioningJob: new DataLoader<string, ProvisioningJobDoc | null>(async (ids) => {
      const jobs = await models.ProvisioningJob.find({ _id: { $in: [...new Set(ids)] } }).lean<ProvisioningJobDoc[]>();
      const byId = new Map(jobs.map((j) => [j._id, j]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;
