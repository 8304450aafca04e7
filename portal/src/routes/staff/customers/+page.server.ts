import { fail, redirect } from '@sveltejs/kit';
import { sessionGraphql } from '$lib/server/session';
import { requireStaffSession, staffOnly, staffSignIn } from '$lib/server/staffGate';
import type { Actions, PageServerLoad } from './$types';
import { NEW_CUSTOMER_FIELDS, type CustomerRow, type CustomersForm, type NewCustomerDraft } from './customers';


const PAGE_SIZE = 25;
const SEARCH = `query Customers($s: String, $first: Int, $after: String) {
  customers(search: $s, first: $first, after: $after) {
    edges { node { id accountNumber name email phone serviceStatus portalAccess { status } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const CREATE = `mutation Create($input: CreateCustomerInput!, $cmid: String) { createCustomer(input: $input, clientMutationId: $cmid) { ok errors { field message } customer { id } } }`;
const BATCH = `mutation Batch($ids: [ID!]!) { provisionPortalAccessBatch(customerIds: $ids) { customerId ok message access { status } } }`;
const ID = /^[0-9a-f]{24}$/i;
/** The most customers one batch provisions (the API's own limit is checked there too). */
const MAX_BATCH = 100;

/**
 * The tenant's customers, rendered by the server: the search and the page (`?search=&after=`) are
 * in the address, so a search can be bookmarked, shared and paged with plain links. Creating a
 * customer and provisioning portal access for the selected rows are form posts that work without
 * scripts; the new-customer form opens with `?new=1`.
 */
export const load: PageServerLoad = async ({ locals, url }) => {
  const session = requireStaffSession(locals.session, url);
  const search = (url.searchParams.get('search') ?? '').trim().slice(0, 200);
  const after = url.searchParams.get('after');
  const base = { search, after, creating: url.searchParams.get('new') === '1', attempt: crypto.randomUUID() };
  const r = await sessionGraphql<{ customers: { edges: { node: CustomerRow }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(session, SEARCH, {
    s: search || null,
    first: PAGE_SIZE,
    after: after && after.length <= 200 ? after : null,
  });
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') staffSignIn(url);
    return { ...base, rows: [] as CustomerRow[], next: null, loadError: r.reason === 'graphql' && r.code === 'BAD_USER_INPUT' ? r.detail : 'The customers could not be loaded right now. Please try again in a moment.' };
  }
  const page = r.data.customers;
  return { ...base, rows: page.edges.map((e) => e.node), next: page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null, loadError: null };
};

const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();
/** A form's idempotency key: the page renders a fresh one; a resubmitted form carries the same. */
const attemptOf = (form: FormData) => {
  const key = text(form, 'clientMutationId');
  return /^[\w.:-]{1,100}$/.test(key) ? key : crypto.randomUUID();
};

/** The API's input for the new-customer form: optional parts only when filled in. */
function inputOf(f: NewCustomerDraft): Record<string, unknown> {
  return {
    accountNumber: f.accountNumber,
    name: f.name,
    serviceStatus: 'ACTIVE',
    ...(f.email ? { email: f.email } : {}),
    ...(f.phone ? { phone: f.phone } : {}),
    ...(f.serviceAddress ? { serviceAddress: f.serviceAddress } : {}),
    ...(f.site ? { site: f.site } : {}),
    ...(f.planName ? { plan: { name: f.planName, downMbps: Number(f.down), upMbps: Number(f.up), priceCents: Math.round(Number(f.price) * 100) } } : {}),
    ...(f.model ? { equipment: [{ model: f.model, ...(f.serial ? { serial: f.serial } : {}), ...(f.mac ? { mac: f.mac } : {}) }] } : {}),
  };
}

export const actions = staffOnly<Actions>({
  create: async ({ locals, url, request }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const values = Object.fromEntries(NEW_CUSTOMER_FIELDS.map((k) => [k, text(form, k).slice(0, 500)])) as NewCustomerDraft;
    const fieldErrors: Record<string, string> = {};
    if (values.planName) {
      for (const [key, label] of [['down', 'Down Mbps'], ['up', 'Up Mbps'], ['price', 'Price']] as const) {
        if (!values[key] || !Number.isFinite(Number(values[key])) || Number(values[key]) < 0) fieldErrors.plan = `${label} must be a number (0 or more).`;
      }
    }
    if (Object.keys(fieldErrors).length) return fail(400, { create: { values, fieldErrors, message: 'Please correct the highlighted fields.' } } satisfies CustomersForm);
    const r = await sessionGraphql<{ createCustomer: { ok: boolean; errors: { field: string; message: string }[]; customer: { id: string } | null } }>(session, CREATE, {
      input: inputOf(values),
      cmid: attemptOf(form),
    });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') staffSignIn(url);
      const own = r.reason === 'graphql' && ['BAD_USER_INPUT', 'CONFLICT', 'FORBIDDEN'].includes(r.code ?? '');
      return fail(own ? 400 : 503, { create: { values, fieldErrors: {}, message: own ? r.detail : 'Could not create the customer. Please try again in a moment.' } } satisfies CustomersForm);
    }
    const made = r.data.createCustomer;
    if (made.ok && made.customer) redirect(303, `/staff/customers/${made.customer.id}`);
    const errors = Object.fromEntries(made.errors.map((e) => [e.field.split('.')[0] === 'plan' ? 'plan' : e.field.split('.')[0]!, e.message]));
    return fail(400, { create: { values, fieldErrors: errors, message: 'Please correct the highlighted fields.' } } satisfies CustomersForm);
  },

  provision: async ({ locals, url, request }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const ids = [...new Set(form.getAll('ids').map(String).filter((id) => ID.test(id)))];
    if (!ids.length) return fail(400, { batch: { results: [], message: 'Select the customers to provision first.' } } satisfies CustomersForm);
    if (ids.length > MAX_BATCH) return fail(400, { batch: { results: [], message: `At most ${MAX_BATCH} customers at once.` } } satisfies CustomersForm);
    const r = await sessionGraphql<{ provisionPortalAccessBatch: { customerId: string; ok: boolean; message: string | null }[] }>(session, BATCH, { ids });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') staffSignIn(url);
      return fail(r.reason === 'graphql' ? 400 : 503, { batch: { results: [], message: r.reason === 'graphql' ? r.detail : 'Provisioning failed. Please try again in a moment.' } } satisfies CustomersForm);
    }
    // The page is rendered again at the same address (search and page kept), so it names each result from its rows.
    return { batch: { results: r.data.provisionPortalAccessBatch.map((x) => ({ customerId: x.customerId, ok: x.ok, message: x.message })) } } satisfies CustomersForm;
  },
});
