/**
 * True for a unique-index violation. MongoDB reports code 11000 for inserts and updates alike;
 * the embedded FerretDB does so for inserts but reports a failed update as a SQLite
 * "UNIQUE constraint failed" error, which must not become an internal error either.
 */
export function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: number; message?: string };
  return e?.code === 11000 || /E11000|UNIQUE constraint failed/.test(e?.message ?? '');
}
