import { fail } from '@sveltejs/kit';
import { timeZoneNames } from '$lib/languages';
import { uploadBrandingAssetAsSession } from '$lib/server/attachmentUpload';
import { sessionGraphql, type ServerSession } from '$lib/server/session';
import { adminOnly, requireStaffSession, staffSignIn } from '$lib/server/staffGate';
import type { Actions, PageServerLoad } from './$types';
import {
  ADMIN_BRANDING_PAGE,
  RESTORE_BRANDING,
  UPDATE_BRANDING,
  draftOf,
  onlyContrastRefused,
  toInput,
  type AdminBrandingPage,
  type BrandingDraft,
  type BrandingForm,
  type SaveResult,
} from './brandingAdmin';

const MAX_ASSET_BYTES = 1024 * 1024;
const UNAVAILABLE = 'That did not work. Please try again in a moment.';

/** The branding editor, its history and the languages messages can be written in, in the first response. */
export const load: PageServerLoad = async ({ locals, url }) => {
  const session = requireStaffSession(locals.session, url);
  const r = await sessionGraphql<AdminBrandingPage>(session, ADMIN_BRANDING_PAGE);
  if (!r.ok) {
    if (r.reason === 'unauthenticated' || r.why === 'SECOND_FACTOR_REQUIRED') staffSignIn(url);
    return { page: null, zones: [], loadError: r.reason === 'graphql' ? r.detail : 'The branding could not be loaded right now. Please try again in a moment.' };
  }
  return { page: r.data, zones: timeZoneNames(), loadError: null };
};

/** Stores a posted logo or favicon; null when none was sent (no file, or an empty one). */
async function storeAsset(session: ServerSession, file: FormDataEntryValue | null): Promise<{ ok: true; url: string } | { ok: false; message: string } | null> {
  if (!(file instanceof File) || file.size === 0) return null;
  if (file.size > MAX_ASSET_BYTES) return { ok: false, message: 'The file is larger than 1 MB.' };
  return uploadBrandingAssetAsSession(session, file);
}

/** A logo or favicon sent with the form: stored first, and its address put in the draft; the refusal otherwise. */
async function attachAsset(session: ServerSession, form: FormData, draft: BrandingDraft, field: 'logoUrl' | 'faviconUrl'): Promise<string | null> {
  const stored = await storeAsset(session, form.get(field === 'logoUrl' ? 'logoFile' : 'faviconFile'));
  if (!stored) return null;
  if (!stored.ok) return stored.message;
  draft[field] = stored.url;
  return null;
}

/** A save's or restore's answer as the page shows it. */
function answerOf(result: SaveResult, draft: BrandingDraft | null, success: string) {
  if (onlyContrastRefused(result)) return fail(400, { draft, pendingContrast: result.contrastWarnings } satisfies BrandingForm);
  if (!result.ok || !result.branding) {
    const conflict = result.errors.find((e) => e.code === 'CONFLICT');
    return fail(conflict ? 409 : 400, {
      draft,
      errors: Object.fromEntries(result.errors.map((e) => [e.field, e.message])),
      notice: { ok: false, text: conflict ? conflict.message : 'Some fields need attention; nothing was saved.' },
    } satisfies BrandingForm);
  }
  return { notice: { ok: true, text: success }, colors: result.branding.colors } satisfies BrandingForm;
}

export const actions = adminOnly<Actions>({
  /** Saves every field as posted; hard-to-read colours come back for confirmation unless confirmed. */
  save: async ({ locals, url, request }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const draft = draftOf(form);
    const uploadErrors: Record<string, string> = {};
    for (const field of ['logoUrl', 'faviconUrl'] as const) {
      const refused = await attachAsset(session, form, draft, field);
      if (refused) uploadErrors[field] = refused;
    }
    if (Object.keys(uploadErrors).length) {
      return fail(400, { draft, errors: uploadErrors, notice: { ok: false, text: 'Some fields need attention; nothing was saved.' } } satisfies BrandingForm);
    }
    const r = await sessionGraphql<{ updateBranding: SaveResult }>(session, UPDATE_BRANDING, {
      input: toInput(draft),
      expectedVersion: Number(form.get('expectedVersion')) || null,
      acknowledgeContrastWarnings: form.get('acknowledgeContrast') === 'yes',
    });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') staffSignIn(url);
      return fail(r.reason === 'graphql' ? 400 : 503, { draft, notice: { ok: false, text: r.reason === 'graphql' ? r.detail : UNAVAILABLE } } satisfies BrandingForm);
    }
    return answerOf(r.data.updateBranding, draft, 'Saved. Your customers see the new branding now.');
  },

  /** Closes the contrast question and goes back to the form as posted, saving nothing. */
  keep: async ({ request }) => {
    return { draft: draftOf(await request.formData()), focus: 'colors.primary' } satisfies BrandingForm;
  },

  /** Stores an uploaded logo or favicon and answers its address, for the form to show before saving. */
  upload: async ({ locals, url, request }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const field = form.get('field') === 'faviconUrl' ? 'faviconUrl' : 'logoUrl';
    const stored = (await storeAsset(session, form.get('file'))) ?? { ok: false, message: 'Choose a file to upload.' };
    if (!stored.ok) return fail(400, { uploadError: { field, message: stored.message } } satisfies BrandingForm);
    return { uploaded: { field, url: stored.url } } satisfies BrandingForm;
  },

  /** Makes an earlier version the current one, as a new version. */
  restore: async ({ locals, url, request }) => {
    const session = requireStaffSession(locals.session, url);
    const form = await request.formData();
    const versionId = String(form.get('versionId') ?? '');
    const version = String(form.get('version') ?? '');
    const r = await sessionGraphql<{ restoreBranding: SaveResult }>(session, RESTORE_BRANDING, { versionId });
    if (!r.ok) {
      if (r.reason === 'unauthenticated') staffSignIn(url);
      return fail(r.reason === 'graphql' ? 400 : 503, { notice: { ok: false, text: r.reason === 'graphql' ? r.detail : UNAVAILABLE } } satisfies BrandingForm);
    }
    return answerOf(r.data.restoreBranding, null, `Version ${version} restored as a new version.`);
  },
});
