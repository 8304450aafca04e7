/** The staff customer list's shapes, shared by its server load and actions and its page. */

/** One customer of the list, as the gateway answers it. */
export interface CustomerRow {
  id: string;
  accountNumber: string;
  name: string;
  email: string | null;
  phone: string | null;
  serviceStatus: string;
  portalAccess: { status: string };
}

/** The new-customer form's fields, in the order the form shows them. */
export const NEW_CUSTOMER_FIELDS = ['accountNumber', 'name', 'email', 'phone', 'serviceAddress', 'site', 'planName', 'down', 'up', 'price', 'model', 'serial', 'mac'] as const;
export type NewCustomerDraft = Record<(typeof NEW_CUSTOMER_FIELDS)[number], string>;

/** What the page's actions answer: a refused new customer (its draft and each field's problem) or one batch's results. */
export interface CustomersForm {
  create?: { values: NewCustomerDraft; fieldErrors: Record<string, string>; message: string };
  batch?: { results: { customerId: string; ok: boolean; message: string | null }[]; message?: string };
}
