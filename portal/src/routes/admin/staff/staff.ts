/** The staff page's shapes, shared by its server and its page. */

export type Role = 'AGENT' | 'TENANT_ADMIN';

export interface Member {
  uid: string;
  email: string | null;
  name: string;
  role: Role;
  status: 'INVITED' | 'ACTIVE' | 'DISABLED';
  invitedAt: string | null;
  lastSignInAt: string | null;
}

export const FIELDS = 'uid email name role status invitedAt lastSignInAt';
export const ROLE_LABELS: Record<Role, string> = { AGENT: 'Agent', TENANT_ADMIN: 'Administrator' };

export interface StaffForm {
  message: { ok: boolean; text: string };
  /** A refused invitation: what was typed. */
  invite?: { email: string; name: string; role: Role };
}
