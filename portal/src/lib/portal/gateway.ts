/** Portal roles and the small formatting helpers pages share. */

export const STAFF_ROLES = ['AGENT', 'TENANT_ADMIN'];

export function formatPrice(cents: number): string {
  return `$${(cents / 100).toFixed(2)}`;
}
