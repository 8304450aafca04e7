import { fail } from '@sveltejs/kit';
import { sessionGraphql } from '$lib/server/session';
import { adminOnly, requireStaffSession, staffSignIn } from '$lib/server/staffGate';
import type { Actions, PageServerLoad } from './$types';
import { FIELDS, ROLE_LABELS, type Member, type Role, type StaffForm } from './staff';

/**
 * The tenant's staff, rendered by the server: inviting a colleague, changing a role, resending an
 * invitation, disabling, enabling and (after `?remove=<uid>` asks) removing are plain form posts.
 */
export const load: PageServerLoad = async ({ locals, url }) => {
  const session = requireStaffSession(locals.session, url);
  const r = await sessionGraphql<{ staffAccounts: Member[] }>(session, `{ staffAccounts { ${FIELDS} } }`);
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') staffSignIn(url);
    return { members: null, removing: null, loadError: r.reason === 'graphql' ? r.detail : 'The staff could not be loaded right now. Please try again in a moment.' };
  }
  const members = r.data.staffAccounts;
  return { members, removing: members.find((m) => m.uid === url.searchParams.get('remove'))?.uid ?? null, loadError: null };
};

const text = (form: FormData, name: string, max = 320) => String(form.get(name) ?? '').trim().slice(0, max);
const roleOf = (value: string): Role | null => (value === 'AGENT' || value === 'TENANT_ADMIN' ? value : null);
const failed = (r: { reason: string; detail: string }) => (r.reason === 'graphql' ? r.detail : 'That did not work. Please try again in a moment.');

export const actions = adminOnly<Actions>({
  invite: async ({ locals, url, request }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const invite = { email: text(form, 'email'), name: text(form, 'name', 200), role: roleOf(text(form, 'role')) ?? 'AGENT' };
    const r = await sessionGraphql<{ inviteStaff: Member }>(session, `mutation Invite($input: InviteStaffInput!) { inviteStaff(input: $input) { ${FIELDS} } }`, {
      input: { email: invite.email, name: invite.name || null, role: invite.role },
    });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') staffSignIn(url);
      return fail(r.reason === 'graphql' ? 400 : 503, { invite, message: { ok: false, text: failed(r) } } satisfies StaffForm);
    }
    return { message: { ok: true, text: `Invitation sent to ${r.data.inviteStaff.email ?? invite.email}.` } } satisfies StaffForm;
  },

  /** One change to a colleague: their role, a new invitation, disabling, enabling or (confirmed) removing them. */
  member: async ({ locals, url, request }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const uid = text(form, 'uid', 128);
    const name = text(form, 'name', 200) || 'They';
    const op = text(form, 'op', 20);
    const role = roleOf(text(form, 'role'));
    const email = text(form, 'email');
    const changes: Record<string, { field: string; done: string; extra?: boolean }> = {
      role: { field: 'changeStaffRole', done: `${name} is now ${role ? ROLE_LABELS[role].toLowerCase() : ''}.`, extra: true },
      resend: { field: 'resendStaffInvite', done: `A new invitation went to ${email || name}.` },
      enable: { field: 'enableStaff', done: `${name} can sign in again.` },
      disable: { field: 'disableStaff', done: `${name} can no longer sign in.` },
      remove: { field: 'removeStaff', done: `${name} was removed.` },
    };
    const change = changes[op];
    if (!uid || !change || (op === 'role' && !role)) return fail(400, { message: { ok: false, text: 'Choose what to change first.' } } satisfies StaffForm);
    if (op === 'remove' && form.get('confirm') !== 'yes') return fail(400, { message: { ok: false, text: 'Confirm the removal first.' } } satisfies StaffForm);
    const selection = op === 'remove' ? '' : `{ ${FIELDS} }`;
    const r = await sessionGraphql(session, `mutation Staff($uid: ID!${change.extra ? ', $role: StaffRole!' : ''}) { ${change.field}(uid: $uid${change.extra ? ', role: $role' : ''}) ${selection} }`, {
      uid,
      ...(change.extra ? { role } : {}),
    });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') staffSignIn(url);
      return fail(r.reason === 'graphql' ? 400 : 503, { message: { ok: false, text: failed(r) } } satisfies StaffForm);
    }
    return { message: { ok: true, text: change.done } } satisfies StaffForm;
  },
});
