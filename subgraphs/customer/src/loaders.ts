import { byIdLoader } from '@wisp/shared';
import type { Models } from './models/index.ts';

export function createLoaders(models: Models) {
  return { customer: byIdLoader(models.Customer) };
}
export type Loaders = ReturnType<typeof createLoaders>;
