/** Minutes `timeZone` is ahead of UTC at `at`. */
function offsetMinutes(at: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((asUtc - at.getTime()) / 60_000);
}

/**
 * The moment a wall-clock time (`2026-12-04T15:00`, as a datetime-local input sends it) names in
 * `timeZone`; null for anything else. Without a zone the server's own would be used, which is
 * nobody's.
 */
export function zonedToUtc(local: string, timeZone: string | null | undefined): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  if (!timeZone) return new Date(wall);
  try {
    // Twice: the offset at the guess can differ from the offset at the answer across a DST change.
    let at = new Date(wall - offsetMinutes(new Date(wall), timeZone) * 60_000);
    at = new Date(wall - offsetMinutes(at, timeZone) * 60_000);
    return at;
  } catch {
    return new Date(wall);
  }
}
