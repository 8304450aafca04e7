/** Field checks shared by staff edits, self-service and sign-up. Each returns an error message or null. */

const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function emailProblem(email: string): string | null {
  const e = normaliseEmail(email);
  if (!e) return 'Enter an email address.';
  if (e.length > 254 || !EMAIL.test(e)) return 'Enter a valid email address.';
  return null;
}

/** A phone number as stored: `+` and digits only. */
export function normalisePhone(phone: string): string {
  const trimmed = phone.trim();
  return (trimmed.startsWith('+') ? '+' : '') + trimmed.replace(/\D/g, '');
}

export function phoneProblem(phone: string): string | null {
  if (!/^[+\d\s().-]+$/.test(phone.trim())) return 'Enter a valid phone number.';
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return 'Enter a valid phone number.';
  return null;
}

/**
 * True when two phone numbers name the same line: equal digits, or equal last ten digits (so
 * `+1 555 010 1001` matches `(555) 010-1001`).
 */
export function samePhone(a: string, b: string): boolean {
  const da = a.replace(/\D/g, '');
  const db = b.replace(/\D/g, '');
  if (da.length < 7 || db.length < 7) return false;
  if (da === db) return true;
  return da.length >= 10 && db.length >= 10 && da.slice(-10) === db.slice(-10);
}

export function accountNumberProblem(accountNumber: string): string | null {
  return /^[A-Za-z0-9][A-Za-z0-9-]{1,31}$/.test(accountNumber.trim()) ? null : 'Use 2–32 letters, digits or dashes.';
}

export function textProblem(value: string, label: string, max: number, required = false): string | null {
  if (required && !value.trim()) return `${label} is required.`;
  if (value.length > max) return `${label} must be at most ${max} characters.`;
  return null;
}

/** Firebase requires 6; we ask for more. */
export const MIN_PASSWORD_LENGTH = 8;

export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Use at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > 128) return 'Use at most 128 characters.';
  return null;
}

export const MAC = /^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$/;

/** Escapes a user's text for use inside a regular expression. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
