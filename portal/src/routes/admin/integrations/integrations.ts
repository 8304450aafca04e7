/** An integrator API key as the admin sees it (never its secret, which only the answer that made it carries). */
export interface Key {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  status: 'ACTIVE' | 'EXPIRED' | 'REVOKED';
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  lastUsedAddress: string | null;
}

export interface Scope {
  name: string;
  description: string;
}

/** A webhook endpoint the tenant's events are POSTed to. */
export interface Endpoint {
  id: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  includeInternal: boolean;
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  createdAt: string;
}

export interface Delivery {
  id: string;
  eventType: string;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  lastStatusCode: number | null;
  lastLatencyMs: number | null;
  lastError: string | null;
  responseExcerpt: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
}

export const KEY_FIELDS = 'id name prefix scopes status createdAt expiresAt revokedAt lastUsedAt lastUsedAddress';
export const ENDPOINT_FIELDS = 'id url description eventTypes includeInternal enabled disabledReason consecutiveFailures createdAt';
export const DELIVERY_FIELDS = 'id eventType status attempts lastStatusCode lastLatencyMs lastError responseExcerpt nextAttemptAt createdAt';

/** A section's outcome line. */
export interface Notice {
  ok: boolean;
  text: string;
}

/** What the integrations page's form actions answer. */
export interface IntegrationsForm {
  keys?: Notice;
  hooks?: Notice;
  /** A key's secret, in this answer only. */
  keySecret?: { name: string; value: string };
  /** An endpoint's signing secret, in this answer only. */
  hookSecret?: { url: string; value: string };
  /** The removal or rotation a first post asked to confirm. */
  confirm?: { id: string; action: 'revoke' | 'rotate' | 'delete' };
  /** One endpoint's deliveries, as they are after a test or a replay. */
  deliveries?: { id: string; list: Delivery[]; error: string | null } | null;
  /** What a refused create was sent, to fill the form in again. */
  keyDraft?: { name: string; scopes: string[]; expires: string };
  hookDraft?: { url: string; description: string; eventTypes: string[]; includeInternal: boolean };
}
