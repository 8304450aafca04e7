import { byIdLoader } from '@wisp/shared';
import type { Models } from './models/index.ts';

export function createLoaders(models: Models) {
  return { message: byIdLoader(models.Message) };
}
export type Loaders = ReturnType<typeof createLoaders>;
