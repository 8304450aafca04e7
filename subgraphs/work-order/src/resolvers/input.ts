import { codedError, ErrorCode } from '@wisp/shared';

/** Collects every field problem of one input, then fails once with all of them. */
export class Problems {
  private list: { field: string; message: string }[] = [];
  add(field: string, message: string) {
    this.list.push({ field, message });
  }
  throwIfAny() {
    if (this.list.length === 0) return;
    const first = this.list[0]!;
    throw codedError(ErrorCode.BAD_USER_INPUT, this.list.length === 1 ? first.message : `${first.message} (and ${this.list.length - 1} more)`, {
      field: first.field,
      problems: this.list,
    });
  }
}

/** A trimmed string within limits, or a problem recorded. */
export function text(p: Problems, field: string, value: unknown, { min = 0, max }: { min?: number; max: number }): string {
  const s = typeof value === 'string' ? value.trim() : '';
  if (s.length < min) p.add(field, min <= 1 ? `${field} must not be empty.` : `${field} must be at least ${min} characters.`);
  else if (s.length > max) p.add(field, `${field} must be at most ${max} characters.`);
  return s;
}

export function optionalText(p: Problems, field: string, value: unknown, max: number): string | undefined {
  if (value === null || value === undefined) return undefined;
  const s = text(p, field, value, { max });
  return s === '' ? undefined : s;
}

/** An ISO date-time, or a problem recorded. */
export function date(p: Problems, field: string, value: unknown): Date | undefined {
  if (value === null || value === undefined) return undefined;
  const d = typeof value === 'string' && value.length <= 40 ? new Date(value) : new Date(NaN);
  if (Number.isNaN(d.getTime())) {
    p.add(field, `${field} must be an ISO date-time.`);
    return undefined;
  }
  return d;
}

export function mutationId(p: Problems, value: unknown): string {
  if (typeof value !== 'string' || !/^[\w.:-]{1,100}$/.test(value)) {
    p.add('clientMutationId', 'clientMutationId must be 1–100 letters, digits or . : _ -');
    return '';
  }
  return value;
}

export { isDuplicateKey } from '@wisp/shared';
