import { withEvents } from '@wisp/events';
import { tenantEvent } from '../tenantEvents.ts';
import { brandingContrast, type ContrastCheck } from '@wisp/shared/contrast';
import { codedError, ErrorCode, forbidden, type Identity, isDuplicateKey, isObjectId, notFound } from '@wisp/shared';
import { Types } from 'mongoose';
import type { Models } from '../models/index.ts';
import { diffBranding, validateBranding, type BrandingInput, type BrandingSnapshot, type FieldError } from './validateBranding.ts';

const PAIR_NAMES: Record<ContrastCheck['pair'], string> = {
  'text/background': 'TEXT_ON_BACKGROUND',
  'primary/onPrimary': 'PRIMARY_BUTTON_TEXT',
  'accent/background': 'ACCENT_ON_BACKGROUND',
  'primary/background': 'PRIMARY_LINK_ON_BACKGROUND',
  'onPrimary/hero': 'HERO_TEXT_ON_SECONDARY',
};

/** The contrast checks of a palette, in the API's shape. */
export function contrastOf(colors: BrandingSnapshot['colors']) {
  return brandingContrast(colors).map((c) => ({ ...c, pair: PAIR_NAMES[c.pair] }));
}

type ContrastReport = { contrast: ReturnType<typeof contrastOf>; contrastWarnings: ReturnType<typeof contrastOf> };

/** `contrast` and `contrastWarnings` of a result: every check, and those below AA. */
function contrastReport(colors: BrandingSnapshot['colors']): ContrastReport {
  const contrast = contrastOf(colors);
  return { contrast, contrastWarnings: contrast.filter((c) => !c.passesAA) };
}

/** The field a refused low-contrast palette is reported on. */
export const CONTRAST_FIELD = 'colors';

/** A stored tenant as the branding code reads it. */
interface TenantRow {
  _id: Types.ObjectId;
  status: string;
  branding: BrandingSnapshot;
  brandingVersion?: number | null;
}

/** Plain data of a stored snapshot (mongoose subdocuments carry extra keys). */
export function plainBranding(b: BrandingSnapshot): BrandingSnapshot {
  const { companyName, displayName, logoUrl, logoAlt, faviconUrl, colors, supportEmail, supportPhone, supportHours, website, paymentPageUrl, welcomeMessage, footerText, customCss, faq, contact, timeZone, defaultLanguage, portalLanguages, mailFromName, mailFromAddress, smsSenderId } = b;
  return {
    companyName,
    displayName,
    logoUrl: logoUrl ?? null,
    logoAlt: logoAlt ?? '',
    faviconUrl: faviconUrl ?? null,
    colors: { primary: colors.primary, secondary: colors.secondary, accent: colors.accent, background: colors.background, text: colors.text },
    supportEmail: supportEmail ?? null,
    supportPhone: supportPhone ?? null,
    supportHours: supportHours ?? null,
    website: website ?? null,
    paymentPageUrl: paymentPageUrl ?? null,
    welcomeMessage: welcomeMessage ?? null,
    footerText: footerText ?? null,
    customCss: customCss ?? null,
    faq: (faq ?? []).map(({ question, answer }) => ({ question, answer })),
    contact: contact ?? null,
    timeZone: timeZone ?? null,
    defaultLanguage: defaultLanguage ?? null,
    portalLanguages: [...(portalLanguages ?? [])],
    mailFromName: mailFromName ?? null,
    mailFromAddress: mailFromAddress ?? null,
    smsSenderId: smsSenderId ?? null,
  };
}

/** Loads the tenant an admin acts on; unknown → NOT_FOUND, suspended → FORBIDDEN. */
export async function loadAdministeredTenant(models: Models, tenantId: string): Promise<TenantRow> {
  if (!isObjectId(tenantId)) throw notFound('Tenant');
  const tenant = await models.Tenant.findById(tenantId).lean<TenantRow>();
  if (!tenant) throw notFound('Tenant');
  if (tenant.status === 'SUSPENDED') throw forbidden('This tenant is suspended; its branding cannot be changed.');
  return tenant;
}


/** A version claimed but never completed (its writer died between the two writes) is reclaimed after this long. */
const ORPHAN_AFTER_MS = 15_000;

/**
 * Writes the first history entry (version 0) for a tenant whose branding predates its history, so
 * the original look can always be restored.
 */
async function ensureBaseline(models: Models, tenant: TenantRow) {
  if ((tenant.brandingVersion ?? 0) !== 0) return;
  try {
    await models.BrandingVersion.create({
      tenantId: tenant._id,
      version: 0,
      action: 'CREATE',
      actorUid: 'system',
      actorRole: 'SYSTEM',
      at: new Date(),
      changes: [],
      branding: plainBranding(tenant.branding),
    });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
}

export type BrandingResult =
  | ({ ok: true; errors: []; branding: BrandingSnapshot & { version: number }; version: number } & ContrastReport)
  | ({ ok: false; errors: FieldError[] | { field: string; message: string; code: string }[]; branding: (BrandingSnapshot & { version: number }) | null; version: number | null } & ContrastReport);

/**
 * Validates and saves a branding change as a new version. Without transactions: the unique
 * (tenantId, version) index hands each concurrent writer a distinct number, and the tenant is only
 * updated if it is still at the version the change was based on; a writer that loses re-applies
 * its input to the newer branding (or reports CONFLICT when it asked for a specific version).
 */
export async function saveBranding(
  models: Models,
  identity: Identity,
  tenantId: string,
  change: { input: BrandingInput; expectedVersion?: number | null; acknowledgeContrastWarnings?: boolean | null } | { restore: { versionId: string } },
): Promise<BrandingResult> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const tenant = await loadAdministeredTenant(models, tenantId);
    const current = plainBranding(tenant.branding);
    const currentVersion = tenant.brandingVersion ?? 0;
    const asCurrent = { ...current, version: currentVersion };

    let next: BrandingSnapshot;
    let restoredFromVersion: number | undefined;
    if ('input' in change) {
      if (change.expectedVersion != null && change.expectedVersion !== currentVersion) {
        return {
          ok: false,
          errors: [{ field: 'expectedVersion', message: `The branding was changed meanwhile (now version ${currentVersion}); reload and try again.`, code: ErrorCode.CONFLICT }],
          branding: asCurrent,
          ...contrastReport(current.colors),
          version: currentVersion,
        };
      }
      const checked = await validateBranding(models, current, change.input);
      if (!checked.ok) {
        const submitted = { ...current.colors };
        for (const [k, v] of Object.entries(change.input.colors ?? {})) {
          if (typeof v === 'string' && !checked.errors.some((e) => e.field === `colors.${k}`)) submitted[k as keyof typeof submitted] = v.trim().toLowerCase();
        }
        return { ok: false, errors: checked.errors, branding: asCurrent, ...contrastReport(submitted), version: currentVersion };
      }
      next = checked.next;
      // A caller that asked to confirm hard-to-read colours first gets them back instead of a save;
      // a palette already saved was confirmed then, so saving other fields asks nothing again.
      const report = contrastReport(next.colors);
      const paletteChanged = (Object.keys(next.colors) as (keyof typeof next.colors)[]).some((k) => next.colors[k] !== current.colors[k]);
      if (change.acknowledgeContrastWarnings === false && report.contrastWarnings.length && paletteChanged) {
        const message = `${report.contrastWarnings.length === 1 ? 'One colour pair is' : `${report.contrastWarnings.length} colour pairs are`} below the WCAG AA contrast of 4.5:1; confirm (acknowledgeContrastWarnings: true) to save anyway.`;
        return { ok: false, errors: [{ field: CONTRAST_FIELD, message, code: ErrorCode.BAD_USER_INPUT }], branding: asCurrent, ...report, version: currentVersion };
      }
    } else {
      const id = change.restore.versionId;
      const source = isObjectId(id) ? await models.BrandingVersion.findOne({ _id: new Types.ObjectId(id), tenantId: tenant._id }).lean() : null;
      if (!source) throw notFound('Branding version');
      next = plainBranding(source.branding as BrandingSnapshot);
      restoredFromVersion = source.version;
    }

    const changes = diffBranding(current, next);
    if (changes.length === 0 && restoredFromVersion === undefined) {
      return { ok: true, errors: [], branding: asCurrent, ...contrastReport(current.colors), version: currentVersion };
    }

    await ensureBaseline(models, tenant);
    const version = currentVersion + 1;
    let claim;
    try {
      claim = await models.BrandingVersion.create({
        tenantId: tenant._id,
        version,
        action: restoredFromVersion === undefined ? 'UPDATE' : 'RESTORE',
        ...(restoredFromVersion === undefined ? {} : { restoredFromVersion }),
        actorUid: identity.uid,
        actorRole: identity.role,
        at: new Date(),
        changes,
        branding: next,
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const holder = await models.BrandingVersion.findOne({ tenantId: tenant._id, version }).lean();
      if (holder && Date.now() - holder.at.getTime() > ORPHAN_AFTER_MS) {
        await models.BrandingVersion.deleteOne({ _id: holder._id, tenantId: tenant._id, version });
      }
      continue;
    }
    const saved = await models.Tenant.updateOne(
      { _id: tenant._id, status: 'ACTIVE', $or: [{ brandingVersion: currentVersion }, ...(currentVersion === 0 ? [{ brandingVersion: { $exists: false } }] : [])] },
      withEvents({ $set: { branding: next, brandingVersion: version } }, [tenantEvent(tenant._id, 'branding.published', 'branding_published', { version })]),
    );
    if (saved.modifiedCount !== 1) {
      await models.BrandingVersion.deleteOne({ _id: claim._id });
      continue;
    }
    await models.relay?.flush(models.Tenant, tenant._id);
    return { ok: true, errors: [], branding: { ...next, version }, ...contrastReport(next.colors), version };
  }
  throw codedError(ErrorCode.CONFLICT, 'The branding is being changed by someone else right now; try again.');
}
