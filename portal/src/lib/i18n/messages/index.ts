import type { LanguageCode } from '@wisp/shared/languages';
import { en, type MessageKey } from './en';
import { es } from './es';
import { fr } from './fr';

export type { MessageKey };

/** Every language's messages; the type makes a missing language (or key, in es/fr) a compile error. */
export const CATALOGUES: Record<LanguageCode, Record<MessageKey, string>> = { en, es, fr };
