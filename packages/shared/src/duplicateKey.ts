/** True for a unique-index violation, which MongoDB reports as code 11000 for inserts and updates alike. */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; message?: string };
  return e?.code === 11000 || /E11000/.test(e?.message ?? '');
}
