/** What other services may know of a customer: their own copy, kept from the customer subgraph's events. */
export interface CustomerInfo {
  id: string;
  tenantId: string;
  name: string;
  email: string | null;
  /**
   * Where ticket mail to the customer may go: the record's email (entered by staff), else the
   * portal login's email once confirmed. Null when there is none: an unconfirmed self-chosen
   * sign-up email gets nothing about the account.
   */
  ticketMailTo: string | null;
  site: string | null;
  sector: string | null;
  serviceStatus: string;
  plan: { name: string; downMbps: number; upMbps: number } | null;
  equipment: { model: string; serial: string | null; mac: string | null; lastSeenAt: Date | null }[];
  /** The portal login's state: NONE until one is set up; REVOKED once staff took access away. */
  portalStatus: string;
}

/** A service's view of the customers (see `openCustomerDirectory` in @wisp/events). */
export interface CustomerDirectory {
  /** One customer of a tenant, or null (unknown, malformed, or another tenant's). */
  get: (tenantId: string, customerId: string) => Promise<CustomerInfo | null>;
  /** Several customers of one tenant; unknown ids are left out. */
  getMany: (tenantId: string, customerIds: string[]) => Promise<CustomerInfo[]>;
  /** Ids of a tenant's customers served from `site` (cancelled services left out). */
  idsAtSite: (tenantId: string, site: string) => Promise<string[]>;
  /** Resolves once every change the customer subgraph made before the call is known here. */
  settled: () => Promise<void>;
  close: () => Promise<void>;
}
