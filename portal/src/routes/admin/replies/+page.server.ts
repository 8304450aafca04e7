import { fail } from '@sveltejs/kit';
import { sessionGraphql } from '$lib/server/session';
import { adminOnly, requireStaffSession, staffSignIn } from '$lib/server/staffGate';
import type { Actions, PageServerLoad } from './$types';

export interface Reply {
  id: string;
  title: string;
  body: string;
}

/** What a post answers: a message for the page, and a refused draft with the field at fault. */
export interface RepliesForm {
  message?: { ok: boolean; text: string };
  draft?: { id: string | null; title: string; body: string; field: string | null };
}

const FIELDS = 'id title body';
const ID = /^[0-9a-f]{24}$/i;

/**
 * The tenant's saved replies, rendered by the server. Adding, changing (`?edit=<id>` opens a
 * reply's form) and removing (`?remove=<id>` asks first) are plain form posts; a retried add saves
 * one reply (titles are unique per tenant).
 */
export const load: PageServerLoad = async ({ locals, url }) => {
  const session = requireStaffSession(locals.session, url);
  const r = await sessionGraphql<{ cannedReplies: Reply[] }>(session, `{ cannedReplies { ${FIELDS} } }`);
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') staffSignIn(url);
    return { replies: null, editing: null, removing: null, loadError: r.reason === 'graphql' ? r.detail : 'The saved replies could not be loaded right now. Please try again in a moment.' };
  }
  const replies = r.data.cannedReplies;
  const asked = (name: string) => replies.find((x) => x.id === url.searchParams.get(name))?.id ?? null;
  return { replies, editing: asked('edit'), removing: asked('remove'), loadError: null };
};

const text = (form: FormData, name: string) => String(form.get(name) ?? '').slice(0, 20_000);

export const actions = adminOnly<Actions>({
  /** Adds a reply (no id) or changes one. */
  save: async ({ locals, url, request }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const id = text(form, 'id');
    const draft = { id: ID.test(id) ? id : null, title: text(form, 'title').trim(), body: text(form, 'body'), field: null as string | null };
    const r = await sessionGraphql<{ saveCannedReply: Reply }>(session, `mutation Save($input: CannedReplyInput!) { saveCannedReply(input: $input) { ${FIELDS} } }`, {
      input: { ...(draft.id ? { id: draft.id } : {}), title: draft.title, body: draft.body },
    });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') staffSignIn(url);
      const own = r.reason === 'graphql' && ['BAD_USER_INPUT', 'CONFLICT', 'NOT_FOUND'].includes(r.code ?? '');
      return fail(own ? 400 : 503, { draft: { ...draft, field: r.field ?? null }, message: { ok: false, text: own ? r.detail : 'That did not work. Please try again in a moment.' } } satisfies RepliesForm);
    }
    return { message: { ok: true, text: `Saved “${r.data.saveCannedReply.title}”.` } } satisfies RepliesForm;
  },

  /** Removes a reply, once confirmed. */
  remove: async ({ locals, url, request }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const id = text(form, 'id');
    const title = text(form, 'title').slice(0, 200);
    if (!ID.test(id) || form.get('confirm') !== 'yes') return fail(400, { message: { ok: false, text: 'Confirm the removal first.' } } satisfies RepliesForm);
    const r = await sessionGraphql<{ deleteCannedReply: boolean }>(session, `mutation Delete($id: ID!) { deleteCannedReply(id: $id) }`, { id });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') staffSignIn(url);
      return fail(r.reason === 'graphql' ? 400 : 503, { message: { ok: false, text: r.reason === 'graphql' ? r.detail : 'That did not work. Please try again in a moment.' } } satisfies RepliesForm);
    }
    return { message: { ok: true, text: `Removed “${title || 'the reply'}”.` } } satisfies RepliesForm;
  },
});
