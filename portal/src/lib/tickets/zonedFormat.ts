/**
 * "Dec 4, 2026, 9:05 PM" in the WISP's time zone: a page the server renders reads the same in the
 * first response and after scripts start, whatever zone the server or the browser runs in.
 */
export function zonedFormat(timeZone: string | null | undefined): (iso: string | null | undefined) => string {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: timeZone ?? undefined });
  } catch {
    format = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  }
  return (iso) => (iso ? format.format(new Date(iso)) : '');
}
