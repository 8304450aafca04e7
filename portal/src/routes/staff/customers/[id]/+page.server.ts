import { error, fail } from '@sveltejs/kit';
import { createTranslator } from '$lib/i18n';
import { DELIVERY_FIELDS, PREFERENCE_FIELDS } from '$lib/notifications/notificationFields';
import { sessionGraphql } from '$lib/server/session';
import { requireStaffSession, staffOnly, staffSignIn } from '$lib/server/staffGate';
import type { Actions, PageServerLoad } from './$types';
import type { Access, CustomerPageForm, Detail } from './types';

const ACCESS_FIELDS = 'status email createdAt lastLoginAt revokedAt provisioningPending lastError lastErrorAt';
const QUERY = `query Customer($id: ID!) { customer(id: $id) {
  id accountNumber name email phone serviceAddress site sector serviceStatus
  plan { name downMbps upMbps priceCents }
  equipment { model serial mac installedAt lastSeenAt signalDbm }
  installHistory { at kind note technician }
  portalAccess { ${ACCESS_FIELDS} }
  notificationPreferences { ${PREFERENCE_FIELDS} }
  notificationLog(first: 20) { ${DELIVERY_FIELDS} }
  people { uid email name role since lastSignInAt }
}
notificationLanguages { code name } }`;
const ID = /^[0-9a-f]{24}$/i;

/** The access changes a plain button asks for, each with what the page says once it is done. */
const ACCESS_ACTIONS = {
  provision: { field: 'provisionPortalAccess', done: 'Welcome email sent.' },
  reset: { field: 'sendPortalPasswordReset', done: 'Password reset email sent.' },
  restore: { field: 'restorePortalAccess', done: 'Access restored.' },
  revoke: { field: 'revokePortalAccess', done: 'Access revoked.' },
} as const;

/**
 * One customer for staff, rendered by the server: their record, portal access, the people who can
 * sign in to the account and what they were sent. Access changes, temporary passwords, invite
 * codes, removing a person and linking a property manager are plain form posts; revoking and
 * removing ask first (`?confirm=revoke`, `?remove=<uid>`), as a step of their own without scripts.
 */
export const load: PageServerLoad = async ({ locals, url, params, depends }) => {
  depends('staff:customer');
  const session = requireStaffSession(locals.session, url);
  if (!ID.test(params.id)) error(404, 'There is no such customer.');
  const r = await sessionGraphql<{ customer: Detail | null; notificationLanguages: { code: string; name: string }[] }>(session, QUERY, { id: params.id });
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') staffSignIn(url);
    if (r.code === 'NOT_FOUND') error(404, 'There is no such customer.');
    error(503, createTranslator(locals.lang).t('error.tryLater'));
  }
  if (!r.data.customer) error(404, 'There is no such customer.');
  const customer = r.data.customer;
  const removing = url.searchParams.get('remove');
  return {
    customer,
    languages: r.data.notificationLanguages,
    confirmRevoke: url.searchParams.get('confirm') === 'revoke' && (customer.portalAccess.status === 'INVITED' || customer.portalAccess.status === 'ACTIVE'),
    confirmRemove: customer.people?.find((p) => p.uid === removing && p.role !== 'OWNER')?.uid ?? null,
  };
};

type Answer<T> = Record<string, { ok: boolean; message: string | null; access: Access | null } & T>;
const failed = (r: { reason: string; detail: string }) => (r.reason === 'graphql' ? r.detail : 'That did not work. Please try again in a moment.');
const customerOf = (params: { id: string }) => {
  if (!ID.test(params.id)) error(404, 'There is no such customer.');
  return params.id;
};

export const actions = staffOnly<Actions>({
  /** Provision, send a password reset, restore, or (confirmed) revoke the customer's portal access. */
  access: async ({ locals, url, params, request }) => {
    const session = requireStaffSession(locals.session, url);
    const id = customerOf(params);
    const form = await request.formData();
    const op = String(form.get('op') ?? '') as keyof typeof ACCESS_ACTIONS;
    const action = ACCESS_ACTIONS[op];
    if (!action) return fail(400, { access: { ok: false, text: 'Choose what to do with the portal access.' } } satisfies CustomerPageForm);
    if (op === 'revoke' && form.get('confirm') !== 'yes') return fail(400, { access: { ok: false, text: 'Confirm revoking access first.' } } satisfies CustomerPageForm);
    const r = await sessionGraphql<Answer<object>>(session, `mutation Access($id: ID!) { ${action.field}(customerId: $id) { ok message access { ${ACCESS_FIELDS} } } }`, { id });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') staffSignIn(url);
      return fail(r.reason === 'graphql' ? 400 : 503, { access: { ok: false, text: failed(r) } } satisfies CustomerPageForm);
    }
    const done = r.data[action.field]!;
    if (!done.ok) return fail(400, { access: { ok: false, text: done.message ?? 'That did not work.' } } satisfies CustomerPageForm);
    return { access: { ok: true, text: action.done } } satisfies CustomerPageForm;
  },

  /** A temporary password, shown once in this answer. */
  temporaryPassword: async ({ locals, url, params }) => {
    const session = requireStaffSession(locals.session, url);
    const id = customerOf(params);
    const r = await sessionGraphql<Answer<{ temporaryPassword: string | null }>>(session, `mutation Temp($id: ID!) { setTemporaryPortalPassword(customerId: $id) { ok message temporaryPassword access { ${ACCESS_FIELDS} } } }`, { id });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') staffSignIn(url);
      return fail(r.reason === 'graphql' ? 400 : 503, { access: { ok: false, text: failed(r) } } satisfies CustomerPageForm);
    }
    const t = r.data.setTemporaryPortalPassword!;
    if (!t.ok || !t.temporaryPassword) return fail(400, { access: { ok: false, text: t.message ?? 'That did not work.' } } satisfies CustomerPageForm);
    return { secret: { label: 'Temporary password (shown once)', value: t.temporaryPassword } } satisfies CustomerPageForm;
  },

  /** An invite code for a customer without a login, shown once in this answer. */
  invite: async ({ locals, url, params }) => {
    const session = requireStaffSession(locals.session, url);
    const id = customerOf(params);
    const r = await sessionGraphql<{ createPortalInvite: { ok: boolean; message: string | null; code: string | null; expiresAt: string | null } }>(session, `mutation Invite($id: ID!) { createPortalInvite(customerId: $id) { ok message code expiresAt } }`, { id });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') staffSignIn(url);
      return fail(r.reason === 'graphql' ? 400 : 503, { access: { ok: false, text: failed(r) } } satisfies CustomerPageForm);
    }
    const i = r.data.createPortalInvite;
    if (!i.ok || !i.code) return fail(400, { access: { ok: false, text: i.message ?? 'That did not work.' } } satisfies CustomerPageForm);
    return { secret: { label: 'Invite code (shown once)', value: i.code, until: i.expiresAt } } satisfies CustomerPageForm;
  },

  /** Removes a household member or property manager from the account, once confirmed. */
  removePerson: async ({ locals, url, params, request }) => {
    const session = requireStaffSession(locals.session, url);
    const id = customerOf(params);
    const form = await request.formData();
    const uid = String(form.get('uid') ?? '').slice(0, 128);
    const email = String(form.get('email') ?? '').slice(0, 320);
    if (!uid || form.get('confirm') !== 'yes') return fail(400, { people: { ok: false, text: 'Confirm the removal first.' } } satisfies CustomerPageForm);
    const r = await sessionGraphql(session, `mutation Remove($c: ID!, $u: ID!) { removeAccountPerson(customerId: $c, uid: $u) { ok } }`, { c: id, u: uid });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') staffSignIn(url);
      return fail(r.reason === 'graphql' ? 400 : 503, { people: { ok: false, text: failed(r) } } satisfies CustomerPageForm);
    }
    return { people: { ok: true, text: `${email || 'That person'} no longer has access to this account.` } } satisfies CustomerPageForm;
  },

  /** Links a property manager by email (a new login gets an email to set a password). */
  linkManager: async ({ locals, url, params, request }) => {
    const session = requireStaffSession(locals.session, url);
    const id = customerOf(params);
    const form = await request.formData();
    const email = String(form.get('email') ?? '').trim().slice(0, 320);
    const name = String(form.get('name') ?? '').trim().slice(0, 200);
    const r = await sessionGraphql<{ linkPropertyManager: { email: string; linkedCount: number } }>(
      session,
      `mutation Link($input: LinkPropertyManagerInput!) { linkPropertyManager(input: $input) { email linkedCount } }`,
      { input: { email, ...(name ? { name } : {}), customerIds: [id] } },
    );
    if (!r.ok) {
      if (r.reason === 'unauthenticated') staffSignIn(url);
      if (r.code === 'BAD_USER_INPUT' && r.field) return fail(400, { manager: { email, name, field: r.field === 'name' ? 'name' : 'email', text: r.detail } } satisfies CustomerPageForm);
      return fail(r.reason === 'graphql' ? 400 : 503, { manager: { email, name }, people: { ok: false, text: failed(r) } } satisfies CustomerPageForm);
    }
    const linked = r.data.linkPropertyManager;
    return { people: { ok: true, text: linked.linkedCount ? `${linked.email} is now this account's property manager.` : `${linked.email} was linked already; nothing changed.` } } satisfies CustomerPageForm;
  },
});
