import { newEvent, type ChangeEvent, type EventType, type PayloadOf, type Relay, type StateOf } from '@wisp/events';

/** A tenant as other services may know it (the catalogue's Tenant state). */
export function tenantState(doc: Record<string, any>): StateOf<'Tenant'> {
  const b = doc.branding ?? {};
  return {
    slug: doc.slug,
    name: doc.name,
    status: doc.status,
    authTenantId: doc.firebaseTenantId ?? null,
    branding: {
      companyName: b.companyName,
      displayName: b.displayName,
      logoUrl: b.logoUrl ?? null,
      colors: { primary: b.colors?.primary, secondary: b.colors?.secondary, accent: b.colors?.accent, background: b.colors?.background, text: b.colors?.text },
      supportEmail: b.supportEmail ?? null,
      supportPhone: b.supportPhone ?? null,
      supportHours: b.supportHours ?? null,
      website: b.website ?? null,
      footerText: b.footerText ?? null,
      timeZone: b.timeZone ?? null,
      defaultLanguage: b.defaultLanguage ?? null,
      mailFromName: b.mailFromName ?? null,
      mailFromAddress: b.mailFromAddress ?? null,
      smsSenderId: b.smsSenderId ?? null,
    },
    brandingVersion: doc.brandingVersion ?? 0,
    domains: doc.domains ?? [],
  };
}

/** An event about tenant `tenantId` (a tenant is its own tenant). */
export function tenantEvent<T extends EventType>(tenantId: unknown, type: T, kind: string, payload: PayloadOf<T>): ChangeEvent {
  const id = String(tenantId);
  return newEvent(type, { tenantId: id, entityId: id, kind, workOrderId: null, customerIds: [], internal: false, payload });
}

/** The tenant subgraph's relay, set when the subgraph starts (null in tools that only read). */
export interface TenantPublishing {
  relay: Relay | null;
}
