import { byIdLoader } from '@wisp/shared';
import type { Models } from './models/index.ts';

export function createLoaders(models: Models) {
  return { tenant: byIdLoader(models.Tenant) };
}
export type Loaders = ReturnType<typeof createLoaders>;
