import type { NotificationDelivery, NotificationPreferences } from '$lib/notifications/notificationFields';

export interface Access {
  status: 'NONE' | 'INVITED' | 'ACTIVE' | 'REVOKED';
  email: string | null;
  createdAt: string | null;
  lastLoginAt: string | null;
  revokedAt: string | null;
  provisioningPending: boolean;
  lastError: string | null;
  lastErrorAt: string | null;
}

export interface Detail {
  id: string;
  accountNumber: string;
  name: string;
  email: string | null;
  phone: string | null;
  serviceAddress: string | null;
  site: string | null;
  sector: string | null;
  serviceStatus: string;
  plan: { name: string; downMbps: number; upMbps: number; priceCents: number } | null;
  equipment: { model: string; serial: string | null; mac: string | null }[];
  installHistory: { at: string; kind: string; note: string | null }[];
  portalAccess: Access;
  notificationPreferences: NotificationPreferences;
  notificationLog: NotificationDelivery[];
  /** Who can sign in to the account (null only when the caller may not see them). */
  people: Person[] | null;
}

/** Someone who can sign in to a customer account: its holder, a household member or a property manager. */
export interface Person {
  uid: string;
  email: string;
  name: string | null;
  role: 'OWNER' | 'MEMBER' | 'MANAGER';
  since: string;
  lastSignInAt: string | null;
}

/** What the customer page's form posts answer, shown beside the panel they came from. */
export interface CustomerPageForm {
  access?: { ok: boolean; text: string };
  /** A temporary password or invite code: shown once, in the answer to the post that made it. */
  secret?: { label: string; value: string; until?: string | null };
  people?: { ok: boolean; text: string };
  /** A refused property manager link: what was typed, and the field at fault. */
  manager?: { email: string; name: string; field?: 'email' | 'name'; text?: string };
}
