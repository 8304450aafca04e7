import { createHash, randomInt } from 'node:crypto';

/** No 0/O, 1/l/I, 5/S, 2/Z, 8/B: a code read aloud or copied by hand survives. */
export const UNAMBIGUOUS_ALPHABET = 'ACDEFGHJKMNPQRTUVWXYabcdefghijkmnpqrstuvwxyz34679';
const SYMBOLS = '#$%&*+=?@';

/** Length of a temporary password. @default 14 */
export const TEMPORARY_PASSWORD_LENGTH = 14;

function pick(alphabet: string): string {
  return alphabet[randomInt(alphabet.length)]!;
}

/**
 * A temporary password from the operating system's CSPRNG (`crypto.randomInt`, no modulo bias):
 * 14 characters with at least one upper, lower, digit and symbol, none easily confused.
 */
export function temporaryPassword(length = TEMPORARY_PASSWORD_LENGTH): string {
  if (length < 12) throw new Error('Temporary passwords have at least 12 characters.');
  const upper = UNAMBIGUOUS_ALPHABET.replace(/[^A-Z]/g, '');
  const lower = UNAMBIGUOUS_ALPHABET.replace(/[^a-z]/g, '');
  const digits = UNAMBIGUOUS_ALPHABET.replace(/[^0-9]/g, '');
  const chars = [pick(upper), pick(lower), pick(digits), pick(SYMBOLS)];
  const all = UNAMBIGUOUS_ALPHABET + SYMBOLS;
  while (chars.length < length) chars.push(pick(all));
  // Fisher–Yates, so the required classes are not always first.
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.join('');
}

const INVITE_ALPHABET = 'ACDEFGHJKMNPQRTUVWXY34679';

/** An invite code like `K7QX-M3RT-9HDA` (12 characters, ~55 bits). */
export function inviteCode(): string {
  const chars = Array.from({ length: 12 }, () => pick(INVITE_ALPHABET)).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8)}`;
}

/** What is stored for an invite code: its SHA-256, after normalising how a person may type it. */
export function inviteCodeHash(code: string): string {
  return createHash('sha256').update(code.toUpperCase().replace(/[^A-Z0-9]/g, '')).digest('hex');
}
