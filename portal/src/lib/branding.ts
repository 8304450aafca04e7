/** The colours a tenant brands its portal with, as stored by the tenant subgraph. */
export interface BrandColors {
  primary: string;
  secondary: string;
  accent: string;
  background: string;
  text: string;
}

/** The public face of a tenant's portal, as answered by `portalBranding(host)`. */
export interface PortalBranding {
  tenantSlug: string;
  /** The Firebase Auth tenant the portal signs users in to; null for a project without tenants. */
  authTenantId: string | null;
  suspended: boolean;
  companyName: string;
  displayName: string;
  logoUrl: string | null;
  logoAlt: string;
  faviconUrl: string | null;
  colors: BrandColors;
  welcomeMessage: string | null;
  footerText: string | null;
  supportEmail: string | null;
  supportPhone: string | null;
  supportHours: string | null;
  website: string | null;
  /** The billing system's own payment page (https) behind the Billing page's Pay link; null: none. */
  paymentPageUrl?: string | null;
  /** Custom CSS, already reduced to a safe subset by the tenant subgraph. */
  customCss?: string | null;
  /** Support page questions in order; `answerHtml` is sanitised HTML. */
  faq?: { question: string; answerHtml: string }[];
  /** The support page's contact block as sanitised HTML. */
  contactHtml?: string | null;
  /** IANA time zone the WISP's times are shown in; the reader's own when null. */
  timeZone?: string | null;
  /** Language of the WISP's customers who chose none ("en", "es"). */
  defaultLanguage?: string | null;
  /** The languages the portal offers its customers (codes, in the WISP's order); empty: all supported. */
  portalLanguages?: string[] | null;
}

/**
 * An image or link address safe to put in markup: a same-origin path or an http(s) URL.
 * Anything else (`javascript:`, `data:`, protocol-relative) yields null.
 */
export function safeUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  const url = value.trim();
  if (url.startsWith('/') && !url.startsWith('//')) return url;
  return /^https?:\/\/[^\s"'<>]+$/i.test(url) ? url : null;
}

/** A website address for an `href`, accepting the bare `example.com` form tenants often type. */
export function websiteHref(value: string | null | undefined): string | null {
  if (!value) return null;
  const trimmed = value.trim();
  return safeUrl(/^https?:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
}
