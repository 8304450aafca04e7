import { byIdLoader } from '@wisp/shared';
import type { Models } from './models/index.ts';

export function createLoaders(models: Models) {
  return { workOrder: byIdLoader(models.WorkOrder) };
}
export type Loaders = ReturnType<typeof createLoaders>;
