/** A login's role, as the API names it. */
export type Role = 'CUSTOMER' | 'AGENT' | 'TENANT_ADMIN' | 'PLATFORM_OPERATOR' | 'INTEGRATOR';

const ROLE_LABELS: Record<Role, string> = {
  CUSTOMER: 'Customer',
  AGENT: 'Support agent',
  TENANT_ADMIN: 'Administrator',
  PLATFORM_OPERATOR: 'Platform operator',
  INTEGRATOR: 'Integration',
};

/** "TENANT_ADMIN" → "Administrator"; words only, so a page that shows a role loads no client library. */
export function roleLabel(role: Role | string): string {
  return ROLE_LABELS[role as Role] ?? role;
}
