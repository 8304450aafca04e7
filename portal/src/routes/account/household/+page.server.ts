import { error, fail, redirect } from '@sveltejs/kit';
import { createTranslator } from '$lib/i18n';
import type { AccountRole } from '$lib/portal/accountSwitch';
import { sessionGraphql } from '$lib/server/session';
import type { Actions, PageServerLoad } from './$types';

export interface AccountPerson {
  uid: string;
  email: string;
  name: string | null;
  role: AccountRole;
  since: string;
  lastSignInAt: string | null;
}

const HOUSEHOLD_QUERY = `{
  viewer {
    uid role
    customer { id name accountNumber people { uid email name role since lastSignInAt } }
    accounts { role active customer { id } }
  }
}`;
const INVITE = `mutation ($input: InviteHouseholdMemberInput!) { inviteHouseholdMember(input: $input) { uid email } }`;
const REMOVE = `mutation ($customerId: ID!, $uid: ID!) { removeAccountPerson(customerId: $customerId, uid: $uid) { ok } }`;

type Answer = {
  viewer: {
    uid: string;
    role: string;
    customer: { id: string; name: string; accountNumber: string; people: AccountPerson[] | null } | null;
    accounts: { role: AccountRole; active: boolean; customer: { id: string } }[];
  } | null;
};

/** What a refused invitation sends back: the values typed, each field's problem, or one message. */
interface InviteFailure {
  email: string;
  name: string;
  errors: { email?: string; name?: string };
  message?: string;
}
const refused = (status: number, invite: InviteFailure) => fail(status, { invite });

const signIn = (url: URL) => redirect(303, `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`);
/** A plain check before asking the API, so a typo reads in the customer's language. */
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/;

/**
 * Who can sign in to the account the portal acts for: the holder sees everyone with access and
 * invites or removes household members; a member sees their own access and can leave. Rendered by
 * the server; every action is a plain form post (enhanced when scripts run).
 */
export const load: PageServerLoad = async ({ locals, url, depends }) => {
  depends('portal:household');
  if (!locals.session) signIn(url);
  const r = await sessionGraphql<Answer>(locals.session, HOUSEHOLD_QUERY);
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') signIn(url);
    error(503, createTranslator(locals.lang, locals.tenant?.timeZone).t('household.loadFailed'));
  }
  const viewer = r.data.viewer;
  const customer = viewer?.role === 'CUSTOMER' ? viewer.customer : null;
  const role = viewer?.accounts.find((a) => a.active)?.role ?? null;
  // Who asked for a removal to be confirmed (`?remove=<uid>`): the confirmation step, without scripts too.
  const removing = url.searchParams.get('remove');
  const people = customer?.people ?? null;
  return {
    account: customer ? { id: customer.id, name: customer.name, accountNumber: customer.accountNumber } : null,
    role,
    me: viewer?.uid ?? null,
    people,
    confirming: people?.find((p) => p.uid === removing && p.role === 'MEMBER' && p.uid !== viewer?.uid) ?? null,
    confirmingLeave: url.searchParams.get('leave') === '1' && (role === 'MEMBER' || role === 'MANAGER'),
    loadedAt: new Date().toISOString(),
  };
};

export const actions: Actions = {
  /** The holder invites a person of their household by email (name optional). */
  invite: async ({ request, locals, url }) => {
    if (!locals.session) signIn(url);
    const t = createTranslator(locals.lang).t;
    const form = await request.formData();
    const email = String(form.get('email') ?? '').trim();
    const name = String(form.get('name') ?? '').trim();
    const errors: InviteFailure['errors'] = {};
    if (!EMAIL.test(email)) errors.email = t('household.emailInvalid');
    if (name.length > 120) errors.name = t('household.nameTooLong');
    if (errors.email || errors.name) return refused(400, { email, name, errors });
    const r = await sessionGraphql<{ inviteHouseholdMember: { uid: string; email: string } }>(locals.session, INVITE, { input: { email, ...(name ? { name } : {}) } });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') signIn(url);
      if (r.code === 'BAD_USER_INPUT') {
        return refused(400, { email, name, errors: r.field === 'name' ? { name: t('household.nameRefused') } : { email: t('household.emailRefused') } });
      }
      if (r.code === 'FORBIDDEN') return refused(403, { email, name, errors: {}, message: t('household.holderOnly') });
      return refused(503, { email, name, errors: {}, message: t('household.saveFailed') });
    }
    return { invited: r.data.inviteHouseholdMember.email };
  },

  /** Removes a household member (the holder), or the signed-in person themselves (leaving). Asked to confirm first. */
  remove: async ({ request, locals, url }) => {
    if (!locals.session) signIn(url);
    const t = createTranslator(locals.lang).t;
    const form = await request.formData();
    const customerId = String(form.get('customerId') ?? '');
    const uid = String(form.get('uid') ?? '');
    const leaving = form.get('leave') === '1';
    if (form.get('confirm') !== 'yes') return fail(400, { remove: { message: t('household.confirmNeeded') } });
    const r = await sessionGraphql<{ removeAccountPerson: { ok: boolean } }>(locals.session, REMOVE, { customerId, uid });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') signIn(url);
      const message = r.code === 'FORBIDDEN' ? t('household.managerByStaff') : r.code === 'NOT_FOUND' ? t('household.goneAlready') : r.code === 'BAD_USER_INPUT' ? t('household.holderStays') : t('household.saveFailed');
      return fail(r.code === 'FORBIDDEN' ? 403 : r.code === 'NOT_FOUND' ? 404 : 400, { remove: { message } });
    }
    // Someone who left no longer acts for this account: the start page picks the next one (or signs out).
    if (leaving) {
      locals.session?.forgetAccount();
      redirect(303, '/?left=1');
    }
    return { removed: uid };
  },
};
