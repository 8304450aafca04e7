/** What other services may know of a tenant: their own copy, kept from the tenant subgraph's events. */
export interface TenantInfo {
  id: string;
  slug: string;
  name: string;
  status: 'ACTIVE' | 'SUSPENDED';
  /** The Firebase Auth tenant that holds this WISP's logins. */
  authTenantId: string | null;
  branding: {
    companyName: string;
    displayName: string;
    logoUrl?: string | null;
    colors: { primary: string; secondary: string; accent: string; background: string; text: string };
    supportEmail?: string | null;
    supportPhone?: string | null;
    supportHours?: string | null;
    website?: string | null;
    footerText?: string | null;
    timeZone?: string | null;
    defaultLanguage?: string | null;
    mailFromName?: string | null;
    mailFromAddress?: string | null;
    smsSenderId?: string | null;
  };
  /** Custom domains, first one preferred for links in emails. */
  domains: string[];
}

/** A service's view of the tenants (see `openTenantDirectory` in @wisp/events). */
export interface TenantDirectory {
  get: (tenantId: string) => Promise<TenantInfo | null>;
  /** A tenant by its slug (public sign-up names the portal, not an id). */
  bySlug: (slug: string) => Promise<TenantInfo | null>;
  close: () => Promise<void>;
}
